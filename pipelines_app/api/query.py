"""The source API's query strings: one Serializer per endpoint, built from the shared pieces below.
Each validates the query string (controltower.api.query.parse_query) and is the OpenAPI schema's
list of that endpoint's query parameters."""

from datetime import UTC, datetime

from rest_framework import serializers

from controltower.api.query import (
    ChoiceQuery,
    FlagQuery,
    IdListQuery,
    IntegerQuery,
    NumberQuery,
    PageQuery,
    QueryField,
    TextQuery,
)

from .. import cost_anomalies, costs, datasets, impact, incidents, pipelines, sla


class TeamDomainQuery(serializers.Serializer):
    team = TextQuery(help_text="exact team")
    domain = TextQuery(help_text="exact domain")


class FilterQuery(TeamDomainQuery):
    criticality = ChoiceQuery(pipelines.CRITICALITIES, help_text="critical, high, medium or low")
    search = TextQuery(help_text="case-insensitive substring of the pipeline id or name")


class PipelineFilterQuery(FilterQuery):
    status = ChoiceQuery(pipelines.RUN_STATUSES, help_text="latest run status")


class PipelineListQuery(PipelineFilterQuery, PageQuery):
    pipeline_ids = IdListQuery(pipelines.MAX_IDS, help_text="only these pipelines: comma-separated ids")


class StaleDatasetQuery(PageQuery):
    team = TextQuery(help_text="exact team")
    kind = ChoiceQuery(datasets.KINDS, help_text="dataset kind")
    criticality = ChoiceQuery(pipelines.CRITICALITIES, help_text="critical, high, medium or low")


class DatasetListQuery(PageQuery):
    namespace = TextQuery(help_text="exact namespace, e.g. snowflake://acme.ap-southeast-2")
    name = TextQuery(help_text="case-insensitive substring of the name")
    platform = TextQuery(help_text="the namespace's scheme, e.g. snowflake, s3, bigquery, kafka")
    kind = ChoiceQuery(datasets.KINDS, help_text="dataset kind")
    deleted = FlagQuery(help_text="only deleted (true) or live (false) datasets; both when absent")


class IncidentQuery(TeamDomainQuery, PageQuery):
    hours = IntegerQuery(1, incidents.MAX_HOURS, default=incidents.DEFAULT_HOURS, help_text="window in hours")
    severity = ChoiceQuery(incidents.SEVERITIES, help_text="sev1 (worst) to sev4")
    kind = ChoiceQuery(incidents.KINDS, help_text="run_failed, sla_breach or dq_assertion_failed")
    pipeline_id = TextQuery(help_text="one pipeline's incidents")


class IncidentDailyQuery(TeamDomainQuery):
    hours = IntegerQuery(1, incidents.MAX_HOURS, default=incidents.DAILY_HOURS, help_text="window in hours")
    kind = ChoiceQuery(incidents.KINDS, help_text="run_failed, sla_breach or dq_assertion_failed")
    pipeline_id = TextQuery(help_text="one pipeline's incidents")


class SlaDaysQuery(serializers.Serializer):
    days = IntegerQuery(
        1, sla.MAX_WINDOW_DAYS, default=sla.DEFAULT_WINDOW_DAYS, help_text="breach-ratio window in days"
    )


class SlaListQuery(FilterQuery, SlaDaysQuery, PageQuery):
    status = ChoiceQuery(sla.STATUSES, help_text="SLA status")


class DepthQuery(serializers.Serializer):
    depth = IntegerQuery(
        1,
        impact.MAX_DEPTH,
        default=impact.DEFAULT_DEPTH,
        help_text="lineage edges to follow (the default is the walk incidents, explain-run and the "
        "summary count with)",
    )


class LineageQuery(DepthQuery):
    direction = ChoiceQuery(
        impact.DIRECTIONS,
        help_text="upstream (what feeds the pipeline), downstream (its impact) or both; without it the "
        "answer is the deprecated alias of /impact",
    )


def cost_days(default: int) -> IntegerQuery:
    """The `days` parameter of the cost views: whole days ending today."""
    return IntegerQuery(1, costs.MAX_TREND_DAYS, default=default, help_text="days ending today")


class CostTrendQuery(TeamDomainQuery):
    days = cost_days(costs.DEFAULT_TREND_DAYS)
    counts = FlagQuery(
        help_text="false: each day's money only, without its run and pipeline counts (distinct counts, "
        "the costly part over many days of runs); true (the default): with them"
    )


class CostRankingQuery(TeamDomainQuery, PageQuery):
    days = cost_days(costs.DEFAULT_RANKING_DAYS)


class PipelineCostQuery(serializers.Serializer):
    days = cost_days(costs.DEFAULT_TREND_DAYS)


class BaselineQuery(serializers.Serializer):
    baseline_days = IntegerQuery(
        cost_anomalies.MIN_BASELINE_DAYS,
        cost_anomalies.MAX_BASELINE_DAYS,
        default=cost_anomalies.DEFAULT_BASELINE_DAYS,
        help_text="days before the latest day that form the baseline",
    )


class AnomalyQuery(BaselineQuery, TeamDomainQuery, PageQuery):
    min_ratio = NumberQuery(0, 1_000_000, help_text="only ratios (latest / baseline median) at or above this")
    anomaly_only = FlagQuery(default=True, help_text="only flagged anomalies")
    severity = ChoiceQuery(
        cost_anomalies.SEVERITIES, help_text="only this band: high (>= 3x), medium (>= 2x), low (>= 1.5x)"
    )


class DateTimeQuery(QueryField):
    """An ISO 8601 date-time (without an offset it is taken as UTC) -> an aware UTC datetime."""

    def __init__(self, **kw):
        super().__init__({"type": "string", "format": "date-time"}, **kw)

    def to_internal_value(self, raw):
        text = str(raw).strip()
        try:
            value = datetime.fromisoformat(text) if "t" in text.lower() and len(text) <= 40 else None
            if value is not None:
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: an offset that leaves years 1-9999
            value = None
        if value is None:
            self.refuse(f"must be an ISO 8601 date-time, e.g. 2026-11-20T12:00:00Z; got {text[:40]!r}.")
        return value


class LineageSinceQuery(serializers.Serializer):
    since = DateTimeQuery(help_text="only events whose eventTime is at or after this date-time")


class LineageEventQuery(LineageSinceQuery, PageQuery):
    run_id = TextQuery(help_text="one run's events (run.runId)")
    job = TextQuery(help_text="exact job name (job.name)")
    namespace = TextQuery(help_text="exact job namespace (job.namespace)")
    pipeline_id = TextQuery(help_text="one pipeline's events")


class LineageCoverageQuery(LineageSinceQuery, PageQuery):
    pass


class RunDetailQuery(serializers.Serializer):
    children_offset = IntegerQuery(0, 100_000, default=0, help_text="child runs to skip")
    children_limit = IntegerQuery(1, 500, default=100, help_text="child runs shown")
