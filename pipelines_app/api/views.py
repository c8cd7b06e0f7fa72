"""Telemetry endpoints of the source API: parse and validate the query string, call the domain
module, render. Every client value reaches SQL as a bind parameter (see pipelines_app/queries.py)."""

from urllib.parse import quote

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import PageQuery, page, parse_query

from .. import (
    cost_anomalies,
    cost_investigation,
    costs,
    dataset_columns,
    datasets,
    impact,
    incidents,
    lineage_events,
    pipelines,
    run_detail,
    runs,
    sla,
    summary,
)
from ..ingest import raw
from . import examples as ex
from . import query as q
from . import serializers as ser

ERRORS = {400: ser.ErrorSerializer, 404: ser.ErrorSerializer, 503: ser.ErrorSerializer}


class SummaryView(APIView):
    """The overview in one answer: pipelines and active ones, runs and failures in the last
    24 hours, running now, SLA breaches, stale datasets and the most impacted downstream assets."""

    @extend_schema(
        operation_id="api_summary_retrieve",
        responses={200: ser.SummarySerializer, **ERRORS},
        examples=ex.SUMMARY_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        return Response(summary.build_summary())


class PipelineListView(APIView):
    """The pipeline catalogue: filter by team, domain, platform, state or text, sort by any listed
    column, page with offset and limit."""

    @extend_schema(
        operation_id="api_pipelines_list",
        parameters=[q.PipelineListQuery],
        responses={200: ser.PipelinePageSerializer, **ERRORS},
        examples=ex.PIPELINES_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.PipelineListQuery)
        items, total = pipelines.list_pipelines(**query)
        return Response(page(items, total, query["offset"], query["limit"]))


class PipelineKeysView(APIView):
    @extend_schema(
        operation_id="api_pipeline_keys_list",
        parameters=[q.PipelineFilterQuery],
        responses={200: ser.PipelineKeysSerializer, **ERRORS},
        description="Every pipeline that passes the filters, as compact rows (`columns` names the "
        "columns): identity, activity and the sortable columns. A control tier merges these from "
        "every source into one exact, pageable catalogue.",
    )
    def get(self, request: Request) -> Response:
        return Response(pipelines.pipeline_keys(**parse_query(request, q.PipelineFilterQuery)))


class StaleDatasetListView(APIView):
    @extend_schema(
        operation_id="api_datasets_stale_list",
        parameters=[q.StaleDatasetQuery],
        responses={200: ser.StaleDatasetPageSerializer, **ERRORS},
        description="Datasets past their freshness SLA (never updated counts; listed last), most "
        "overdue first. The summary's `stale_datasets` is this list's total.",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.StaleDatasetQuery)
        items, total = datasets.stale_datasets(**query)
        return Response(page(items, total, query["offset"], query["limit"]))


class PipelineDetailView(APIView):
    """One pipeline: its identity, team and owner, schedule, thresholds, runbook, tags and parent jobs."""

    @extend_schema(
        operation_id="api_pipelines_retrieve", responses={200: ser.PipelineDetailSerializer, **ERRORS}
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(pipelines.get_pipeline(pipeline_id))


class PipelineRunsView(APIView):
    """A pipeline's runs, newest first, paged."""

    @extend_schema(
        operation_id="api_pipelines_runs_list",
        parameters=[PageQuery],
        responses={200: ser.RunPageSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        query = parse_query(request, PageQuery)
        items, total = runs.list_runs(pipeline_id, **query)
        return Response(page(items, total, query["offset"], query["limit"]))


class RunDetailView(APIView):
    @extend_schema(
        operation_id="api_runs_retrieve",
        parameters=[q.RunDetailQuery],
        responses={200: ser.RunDetailSerializer, **ERRORS},
        description="One run: its state history, parent, root and child runs, errors from every "
        "producer facet, data-quality assertions and metrics, and the facets Control Tower does not map.",
    )
    def get(self, request: Request, run_id: str) -> Response:
        query = parse_query(request, q.RunDetailQuery)
        return Response(run_detail.run_detail(run_id, **query))


class IncidentListView(APIView):
    """Failed and late runs over the last `hours`, newest first, with counts by severity."""

    @extend_schema(
        operation_id="api_incidents_list",
        parameters=[q.IncidentQuery],
        responses={200: ser.IncidentPageSerializer, **ERRORS},
        examples=ex.INCIDENTS_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.IncidentQuery)
        items, total, by_severity = incidents.list_incidents(**query)
        extra = {"hours": query["hours"], "by_severity": by_severity, "generated_at": timezone.now()}
        return Response(page(items, total, query["offset"], query["limit"], **extra))


class IncidentDailyView(APIView):
    """The incidents `/api/incidents` counts for the same window and filters, per UTC day and
    severity, in one answer."""

    @extend_schema(
        operation_id="api_incidents_daily_retrieve",
        parameters=[q.IncidentDailyQuery],
        responses={200: ser.IncidentDailySerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        counts = incidents.daily_counts(**parse_query(request, q.IncidentDailyQuery))
        return Response({**counts, "generated_at": timezone.now()})


class PipelineSlaView(APIView):
    """A pipeline's service level over the last `days`: status and reasons, thresholds,
    runs in the window and breaches."""

    @extend_schema(
        operation_id="api_pipelines_sla_retrieve",
        parameters=[q.SlaDaysQuery],
        responses={200: ser.SlaSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(sla.pipeline_sla(pipeline_id, **parse_query(request, q.SlaDaysQuery)))


class SlaListView(APIView):
    """Every pipeline's service level over the last `days`, paged, with counts by status."""

    @extend_schema(
        operation_id="api_sla_pipelines_list",
        parameters=[q.SlaListQuery],
        responses={200: ser.SlaPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.SlaListQuery)
        items, total, by_status = sla.list_sla(**query)
        offset, limit, days = query["offset"], query["limit"], query["days"]
        return Response(page(items, total, offset, limit, days=days, by_status=by_status))


class PipelineImpactView(APIView):
    """What a pipeline feeds, up to `depth` hops downstream: datasets, pipelines and consumers, as nodes
    and edges."""

    @extend_schema(
        operation_id="api_pipelines_impact_retrieve",
        parameters=[q.DepthQuery],
        responses={200: ser.ImpactSerializer, **ERRORS},
        examples=ex.IMPACT_EXAMPLES,
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(impact.pipeline_impact(pipeline_id, parse_query(request, q.DepthQuery)["depth"]))


class PipelineLineageView(APIView):
    """Upstream / downstream / both with `direction`; without it, the deprecated alias of /impact
    (same body plus `deprecated` and `replacement_endpoint`)."""

    @extend_schema(
        operation_id="api_pipelines_lineage_retrieve",
        parameters=[q.LineageQuery],
        responses={200: ser.LineageSerializer, **ERRORS},
        description="With `direction` (upstream, downstream, both): the pipeline's lineage on that "
        "side, each node with its `direction`. Without it: deprecated, the same body as /impact plus "
        "`deprecated: true` and `replacement_endpoint`.",
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        query = parse_query(request, q.LineageQuery)
        if query.get("direction"):
            body = impact.pipeline_lineage(pipeline_id, query["direction"], query["depth"])
            return Response({**body, "deprecated": False, "replacement_endpoint": None})
        replacement = f"/api/pipelines/{quote(pipeline_id, safe='')}/impact"
        body = impact.pipeline_impact(pipeline_id, query["depth"])
        headers = {"Deprecation": "true", "Link": f'<{replacement}>; rel="successor-version"'}
        return Response({**body, "deprecated": True, "replacement_endpoint": replacement}, headers=headers)


class DatasetListView(APIView):
    @extend_schema(
        operation_id="api_datasets_list",
        parameters=[q.DatasetListQuery],
        responses={200: ser.DatasetPageSerializer, **ERRORS},
        description="Every dataset, one per (namespace, name), by name then namespace.",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.DatasetListQuery)
        items, total = datasets.list_datasets(**query)
        return Response(page(items, total, query["offset"], query["limit"]))


class DatasetDetailView(APIView):
    @extend_schema(
        operation_id="api_datasets_retrieve",
        responses={200: ser.DatasetDetailSerializer, **ERRORS},
        description="One dataset: schema fields, producers, consumers, the facets kept. The id of a path "
        "whose symlinks name a table answers for that table (`resolved_from`).",
    )
    def get(self, request: Request, dataset_id: str) -> Response:
        return Response(datasets.get_dataset(dataset_id))


class DatasetColumnsView(APIView):
    @extend_schema(
        operation_id="api_datasets_columns_list",
        summary="A dataset's columns with their upstream columns",
        parameters=[PageQuery],
        responses={200: ser.DatasetColumnPageSerializer, **ERRORS},
        description="The dataset's columns (schema facet order), each with the upstream columns it is "
        "computed from and the transformation (columnLineage facet).",
    )
    def get(self, request: Request, dataset_id: str) -> Response:
        query = parse_query(request, PageQuery)
        head, items, total = dataset_columns.dataset_columns(dataset_id, **query)
        return Response(page(items, total, query["offset"], query["limit"], **head))


class CostOverviewView(APIView):
    """Spend in the last 24 hours and 7 days (and its daily average), by team and by domain."""

    @extend_schema(operation_id="api_costs_retrieve", responses={200: ser.CostOverviewSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(costs.overview())


class CostTrendView(APIView):
    """Daily spend over the last `days`: total, daily average and one point per day."""

    @extend_schema(
        operation_id="api_costs_trend_retrieve",
        parameters=[q.CostTrendQuery],
        responses={200: ser.CostTrendSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(costs.trend(**parse_query(request, q.CostTrendQuery)))


class CostPipelinesView(APIView):
    """Pipelines ranked by spend over the last `days`, most expensive first, paged."""

    @extend_schema(
        operation_id="api_costs_pipelines_list",
        parameters=[q.CostRankingQuery],
        responses={200: ser.CostRankingPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.CostRankingQuery)
        items, total = costs.pipeline_ranking(**query)
        start, end = costs.window(query["days"])
        extra = {"days": query["days"], "start_date": start, "end_date": end}
        return Response(page(items, total, query["offset"], query["limit"], **extra))


class PipelineCostView(APIView):
    """One pipeline's spend over the last `days`: total, daily average, the last 24 hours
    and 7 days, runs, and one point per day."""

    @extend_schema(
        operation_id="api_pipelines_cost_retrieve",
        parameters=[q.PipelineCostQuery],
        responses={200: ser.PipelineCostSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(costs.pipeline_cost(pipeline_id, **parse_query(request, q.PipelineCostQuery)))


class CostAnomaliesView(APIView):
    """Pipelines whose spend on the latest day exceeds their baseline (`baseline_days`), largest ratio
    first, paged."""

    @extend_schema(
        operation_id="api_costs_anomalies_list",
        parameters=[q.AnomalyQuery],
        responses={200: ser.AnomalyPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.AnomalyQuery)
        items, total, day = cost_anomalies.list_anomalies(**query)
        extra = {"date": day, "baseline_days": query["baseline_days"], "generated_at": timezone.now()}
        return Response(page(items, total, query["offset"], query["limit"], **extra))


class CostInvestigateView(APIView):
    """Why a pipeline's spend moved: its latest day against its baseline, the trend, its
    costliest runs and related incidents."""

    @extend_schema(
        operation_id="api_costs_anomalies_investigate_retrieve",
        parameters=[q.BaselineQuery],
        responses={200: ser.InvestigationSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(cost_investigation.investigate(pipeline_id, **parse_query(request, q.BaselineQuery)))


class LineageEventListView(APIView):
    @extend_schema(
        operation_id="api_lineage_events_list",
        parameters=[q.LineageEventQuery],
        responses={200: ser.LineageEventPageSerializer, **ERRORS},
        description="The OpenLineage events this source accepted, as received (every facet, mapped "
        "or not), newest eventTime first; kept CT_LINEAGE_EVENTS_RETENTION_DAYS after receipt.",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.LineageEventQuery)
        items, total = lineage_events.list_events(**query)
        return Response(page(items, total, query["offset"], query["limit"]))


class LineageCoverageView(APIView):
    @extend_schema(
        operation_id="api_lineage_coverage_list",
        parameters=[q.LineageCoverageQuery],
        responses={200: ser.LineageCoveragePageSerializer, **ERRORS},
        description="Per producer URI, over the events kept: how many, and every run, job and "
        "dataset facet it sends, each marked mapped (read into Control Tower's tables) or not "
        "(kept in the raw event only).",
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, q.LineageCoverageQuery)
        items, total = lineage_events.coverage(**query)
        extra = {"mapped_facets": lineage_events.mapped_facets(), "retention_days": raw.retention_days()}
        return Response(page(items, total, query["offset"], query["limit"], **extra))
