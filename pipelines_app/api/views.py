"""Telemetry endpoints of the source API: parse and validate the query string, call the domain
module, render. Every client value reaches SQL as a bind parameter (see pipelines_app/queries.py)."""

from urllib.parse import quote

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.errors import ApiError
from controltower.api.params import (
    FLAG_SCHEMA,
    PAGE_SCHEMAS,
    bounded,
    choice_param,
    float_param,
    int_param,
    page,
    page_params,
)

from .. import (
    cost_anomalies,
    cost_investigation,
    costs,
    datasets,
    impact,
    incidents,
    pipelines,
    runs,
    sla,
    summary,
)
from . import serializers as ser

ERRORS = {400: ser.ErrorSerializer, 404: ser.ErrorSerializer, 503: ser.ErrorSerializer}
MAX_TEXT = 200


def P(name: str, description: str, type_=str, **kw) -> OpenApiParameter:  # noqa: N802
    """A query parameter; numbers pass `minimum`/`maximum`, the bounds the view enforces."""
    if "minimum" in kw or "maximum" in kw:
        type_ = bounded(type_, kw.pop("minimum", None), kw.pop("maximum", None))
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kw)


TEXT = {"type": "string", "maxLength": MAX_TEXT}
PAGE = [
    P("offset", "items to skip (default 0)", PAGE_SCHEMAS["offset"]),
    P("limit", "page size (default 50, max 500)", PAGE_SCHEMAS["limit"]),
]
TEAM_DOMAIN = [P("team", "exact team", TEXT), P("domain", "exact domain", TEXT)]
FILTERS = [
    *TEAM_DOMAIN,
    P("criticality", "critical, high, medium or low", enum=pipelines.CRITICALITIES),
    P("search", "case-insensitive substring of the pipeline id or name", TEXT),
]


def text_param(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name, "").strip()
    if len(raw) > MAX_TEXT:
        raise ApiError(
            400, "invalid_parameter", f"'{name}' is longer than {MAX_TEXT} characters.", {"parameter": name}
        )
    return raw or None


def bool_param(request: Request, name: str, default: bool) -> bool:
    raw = choice_param(request, name, ("true", "false", "1", "0"))
    return default if raw is None else raw in ("true", "1")


def filters(request: Request, *names: str) -> dict:
    out = {n: text_param(request, n) for n in names if n in ("team", "domain", "search")}
    if "criticality" in names:
        out["criticality"] = choice_param(request, "criticality", pipelines.CRITICALITIES)
    return out


class SummaryView(APIView):
    @extend_schema(operation_id="api_summary_retrieve", responses={200: ser.SummarySerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(summary.build_summary())


PIPELINE_FILTERS = [*FILTERS, P("status", "latest run status", enum=pipelines.RUN_STATUSES)]
# What ids_param accepts: at most MAX_IDS comma-separated ids of at most MAX_TEXT characters.
ONE_ID = f"[^,]{{0,{MAX_TEXT}}}"
IDS = P(
    "pipeline_ids",
    f"only these pipelines: comma-separated ids (at most {pipelines.MAX_IDS})",
    {"type": "string", "pattern": f"^{ONE_ID}(,{ONE_ID}){{0,{pipelines.MAX_IDS - 1}}}$"},
)


def pipeline_filters(request: Request) -> dict:
    return {
        "status": choice_param(request, "status", pipelines.RUN_STATUSES),
        **filters(request, "team", "domain", "criticality", "search"),
    }


def ids_param(request: Request) -> list[str] | None:
    raw = request.query_params.get("pipeline_ids", "")
    ids = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if len(ids) > pipelines.MAX_IDS or any(len(i) > MAX_TEXT for i in ids):
        raise ApiError(
            400,
            "invalid_parameter",
            f"'pipeline_ids' takes at most {pipelines.MAX_IDS} ids of at most {MAX_TEXT} characters.",
            {"parameter": "pipeline_ids"},
        )
    return ids or None


class PipelineListView(APIView):
    @extend_schema(
        operation_id="api_pipelines_list",
        parameters=[*PIPELINE_FILTERS, IDS, *PAGE],
        responses={200: ser.PipelinePageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        offset, limit = page_params(request)
        items, total = pipelines.list_pipelines(
            offset=offset, limit=limit, pipeline_ids=ids_param(request), **pipeline_filters(request)
        )
        return Response(page(items, total, offset, limit))


class PipelineKeysView(APIView):
    @extend_schema(
        operation_id="api_pipeline_keys_list",
        parameters=PIPELINE_FILTERS,
        responses={200: ser.PipelineKeysSerializer, **ERRORS},
        description="Every pipeline that passes the filters, as compact rows (`columns` names the "
        "columns): identity, activity and the sortable columns. A control tier merges these from "
        "every source into one exact, pageable catalogue.",
    )
    def get(self, request: Request) -> Response:
        return Response(pipelines.pipeline_keys(**pipeline_filters(request)))


class StaleDatasetListView(APIView):
    @extend_schema(
        operation_id="api_datasets_stale_list",
        parameters=[
            P("team", "exact team", TEXT),
            P("kind", "dataset kind", enum=datasets.KINDS),
            P("criticality", "critical, high, medium or low", enum=pipelines.CRITICALITIES),
            *PAGE,
        ],
        responses={200: ser.StaleDatasetPageSerializer, **ERRORS},
        description="Datasets past their freshness SLA (never updated counts; listed last), most "
        "overdue first. The summary's `stale_datasets` is this list's total.",
    )
    def get(self, request: Request) -> Response:
        offset, limit = page_params(request)
        items, total = datasets.stale_datasets(
            offset=offset,
            limit=limit,
            kind=choice_param(request, "kind", datasets.KINDS),
            **filters(request, "team", "criticality"),
        )
        return Response(page(items, total, offset, limit))


class PipelineDetailView(APIView):
    @extend_schema(operation_id="api_pipelines_retrieve", responses={200: ser.PipelineSerializer, **ERRORS})
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(pipelines.get_pipeline(pipeline_id))


class PipelineRunsView(APIView):
    @extend_schema(
        operation_id="api_pipelines_runs_list",
        parameters=PAGE,
        responses={200: ser.RunPageSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        offset, limit = page_params(request)
        items, total = runs.list_runs(pipeline_id, offset=offset, limit=limit)
        return Response(page(items, total, offset, limit))


class IncidentListView(APIView):
    @extend_schema(
        operation_id="api_incidents_list",
        parameters=[
            P(
                "hours",
                f"window in hours (default {incidents.DEFAULT_HOURS}, max {incidents.MAX_HOURS})",
                int,
                minimum=1,
                maximum=incidents.MAX_HOURS,
            ),
            *TEAM_DOMAIN,
            P("severity", "sev1 (worst) to sev4", enum=incidents.SEVERITIES),
            P("kind", "run_failed or sla_breach", enum=incidents.KINDS),
            P("pipeline_id", "one pipeline's incidents", TEXT),
            *PAGE,
        ],
        responses={200: ser.IncidentPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        hours = int_param(request, "hours", incidents.DEFAULT_HOURS, minimum=1, maximum=incidents.MAX_HOURS)
        severity = choice_param(request, "severity", incidents.SEVERITIES)
        offset, limit = page_params(request)
        items, total, by_severity = incidents.list_incidents(
            offset=offset,
            limit=limit,
            severity=severity,
            hours=hours,
            kind=choice_param(request, "kind", incidents.KINDS),
            pipeline_id=text_param(request, "pipeline_id"),
            **filters(request, "team", "domain"),
        )
        extra = {"hours": hours, "by_severity": by_severity, "generated_at": timezone.now()}
        return Response(page(items, total, offset, limit, **extra))


def days_param(request: Request, default: int, maximum: int) -> int:
    return int_param(request, "days", default, minimum=1, maximum=maximum)


SLA_DAYS = P(
    "days", "breach-ratio window in days (default 7, max 90)", int, minimum=1, maximum=sla.MAX_WINDOW_DAYS
)


class PipelineSlaView(APIView):
    @extend_schema(
        operation_id="api_pipelines_sla_retrieve",
        parameters=[SLA_DAYS],
        responses={200: ser.SlaSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(
            sla.pipeline_sla(
                pipeline_id, days=days_param(request, sla.DEFAULT_WINDOW_DAYS, sla.MAX_WINDOW_DAYS)
            )
        )


class SlaListView(APIView):
    @extend_schema(
        operation_id="api_sla_pipelines_list",
        parameters=[*FILTERS, P("status", "SLA status", enum=sla.STATUSES), SLA_DAYS, *PAGE],
        responses={200: ser.SlaPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        days = days_param(request, sla.DEFAULT_WINDOW_DAYS, sla.MAX_WINDOW_DAYS)
        status = choice_param(request, "status", sla.STATUSES)
        offset, limit = page_params(request)
        items, total, by_status = sla.list_sla(
            offset=offset,
            limit=limit,
            status=status,
            days=days,
            **filters(request, "team", "domain", "criticality", "search"),
        )
        return Response(page(items, total, offset, limit, days=days, by_status=by_status))


DEPTH = P(
    "depth",
    f"lineage edges to follow, 1..{impact.MAX_DEPTH} (default {impact.DEFAULT_DEPTH}: the walk incidents, "
    "explain-run and the summary count with)",
    int,
    minimum=1,
    maximum=impact.MAX_DEPTH,
)


def depth_param(request: Request) -> int:
    return int_param(request, "depth", impact.DEFAULT_DEPTH, minimum=1, maximum=impact.MAX_DEPTH)


class PipelineImpactView(APIView):
    @extend_schema(
        operation_id="api_pipelines_impact_retrieve",
        parameters=[DEPTH],
        responses={200: ser.ImpactSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(impact.pipeline_impact(pipeline_id, depth_param(request)))


class PipelineLineageView(APIView):
    """Deprecated alias of /impact: same body plus `deprecated` and `replacement_endpoint`."""

    @extend_schema(
        operation_id="api_pipelines_lineage_retrieve",
        deprecated=True,
        parameters=[DEPTH],
        responses={200: ser.LineageSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        replacement = f"/api/pipelines/{quote(pipeline_id, safe='')}/impact"
        body = impact.pipeline_impact(pipeline_id, depth_param(request))
        headers = {"Deprecation": "true", "Link": f'<{replacement}>; rel="successor-version"'}
        return Response({**body, "deprecated": True, "replacement_endpoint": replacement}, headers=headers)


class CostOverviewView(APIView):
    @extend_schema(operation_id="api_costs_retrieve", responses={200: ser.CostOverviewSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(costs.overview())


def cost_days(default: int):
    """The `days` parameter of the cost views: whole days ending today."""
    return P(
        "days",
        f"days ending today (default {default}, max {costs.MAX_TREND_DAYS})",
        int,
        minimum=1,
        maximum=costs.MAX_TREND_DAYS,
    )


class CostTrendView(APIView):
    @extend_schema(
        operation_id="api_costs_trend_retrieve",
        parameters=[
            cost_days(30),
            *TEAM_DOMAIN,
        ],
        responses={200: ser.CostTrendSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        days = days_param(request, costs.DEFAULT_TREND_DAYS, costs.MAX_TREND_DAYS)
        return Response(costs.trend(days, **filters(request, "team", "domain")))


class CostPipelinesView(APIView):
    @extend_schema(
        operation_id="api_costs_pipelines_list",
        parameters=[
            cost_days(7),
            *TEAM_DOMAIN,
            *PAGE,
        ],
        responses={200: ser.CostRankingPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        days = days_param(request, costs.DEFAULT_RANKING_DAYS, costs.MAX_TREND_DAYS)
        offset, limit = page_params(request)
        items, total = costs.pipeline_ranking(
            days=days, offset=offset, limit=limit, **filters(request, "team", "domain")
        )
        start, end = costs.window(days)
        return Response(page(items, total, offset, limit, days=days, start_date=start, end_date=end))


class PipelineCostView(APIView):
    @extend_schema(
        operation_id="api_pipelines_cost_retrieve",
        parameters=[cost_days(30)],
        responses={200: ser.PipelineCostSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        days = days_param(request, costs.DEFAULT_TREND_DAYS, costs.MAX_TREND_DAYS)
        return Response(costs.pipeline_cost(pipeline_id, days))


BASELINE_DAYS = P(
    "baseline_days",
    f"days before the latest day that form the baseline (default {cost_anomalies.DEFAULT_BASELINE_DAYS}, "
    f"max {cost_anomalies.MAX_BASELINE_DAYS})",
    int,
    minimum=cost_anomalies.MIN_BASELINE_DAYS,
    maximum=cost_anomalies.MAX_BASELINE_DAYS,
)


def baseline_days_param(request: Request) -> int:
    default, maximum = cost_anomalies.DEFAULT_BASELINE_DAYS, cost_anomalies.MAX_BASELINE_DAYS
    return int_param(
        request, "baseline_days", default, minimum=cost_anomalies.MIN_BASELINE_DAYS, maximum=maximum
    )


class CostAnomaliesView(APIView):
    @extend_schema(
        operation_id="api_costs_anomalies_list",
        parameters=[
            BASELINE_DAYS,
            P(
                "min_ratio",
                "only ratios (latest / baseline median) at or above this",
                float,
                minimum=0,
                maximum=1_000_000,
            ),
            P("anomaly_only", "only flagged anomalies (default true)", FLAG_SCHEMA),
            P(
                "severity",
                "only this band: high (>= 3x), medium (>= 2x), low (>= 1.5x)",
                enum=cost_anomalies.SEVERITIES,
            ),
            *TEAM_DOMAIN,
            *PAGE,
        ],
        responses={200: ser.AnomalyPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        baseline_days = baseline_days_param(request)
        min_ratio = float_param(request, "min_ratio", None, minimum=0, maximum=1_000_000)
        anomaly_only = bool_param(request, "anomaly_only", True)
        offset, limit = page_params(request)
        items, total, day = cost_anomalies.list_anomalies(
            offset=offset,
            limit=limit,
            baseline_days=baseline_days,
            min_ratio=min_ratio,
            anomaly_only=anomaly_only,
            severity=choice_param(request, "severity", cost_anomalies.SEVERITIES),
            **filters(request, "team", "domain"),
        )
        extra = {"date": day, "baseline_days": baseline_days, "generated_at": timezone.now()}
        return Response(page(items, total, offset, limit, **extra))


class CostInvestigateView(APIView):
    @extend_schema(
        operation_id="api_costs_anomalies_investigate_retrieve",
        parameters=[BASELINE_DAYS],
        responses={200: ser.InvestigationSerializer, **ERRORS},
    )
    def get(self, request: Request, pipeline_id: str) -> Response:
        return Response(
            cost_investigation.investigate(pipeline_id, baseline_days=baseline_days_param(request))
        )
