"""Response shapes of the telemetry endpoints, for the OpenAPI schema (views return the domain
modules' dicts as they are; these document them)."""

from rest_framework import serializers as s

from .. import impact

WALK = f"the impact walk ({impact.DEFAULT_DEPTH} edges deep, at most {impact.MAX_NODES} nodes)"
TRUNCATED_REASON = {
    "allow_null": True,
    "help_text": f"{impact.DEPTH} | {impact.NODE_CAP} | null. {impact.DEPTH}: nodes lie beyond the walk's "
    f"depth; {impact.NODE_CAP}: the walk reached its node cap ({impact.MAX_NODES} nodes) and stopped at "
    "that level; null: not truncated",
}

MONEY = {"help_text": "AUD, rounded to cents"}
COST_24H = {"help_text": "AUD booked on today's UTC usage day (RUN_COSTS is daily-grained)"}
COST_7D = {"help_text": "AUD over the 7 UTC usage days ending today"}
COST_AVG = {"help_text": "cost_7d_aud / 7"}


def page_of(name: str, item, /, **extra) -> type[s.Serializer]:
    """The list envelope {items, total, offset, limit, ...extra} around `item`."""
    fields = {"items": item(many=True), "total": s.IntegerField(), "offset": s.IntegerField()}
    fields |= {"limit": s.IntegerField(), **extra}
    return type(name, (s.Serializer,), fields)


class ErrorBodySerializer(s.Serializer):
    code = s.CharField()
    message = s.CharField()
    details = s.DictField()


class ErrorSerializer(s.Serializer):
    error = ErrorBodySerializer()


class ImpactedAssetSerializer(s.Serializer):
    id = s.CharField()
    name = s.CharField()
    kind = s.CharField()
    criticality = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    impacted_by = s.IntegerField(help_text=f"currently failing pipelines that {WALK} reaches this asset from")
    failing_pipelines = s.ListField(child=s.CharField(), help_text="up to 10 of them")


class SummarySerializer(s.Serializer):
    pipelines = s.IntegerField()
    active = s.IntegerField()
    runs_24h = s.IntegerField()
    failures_24h = s.IntegerField()
    running = s.IntegerField()
    sla_breaches = s.IntegerField()
    stale_datasets = s.IntegerField()
    top_impacted_downstream_assets = ImpactedAssetSerializer(many=True)
    top_impacted_truncated = s.BooleanField(
        help_text="true when the walk of at least one failing pipeline was truncated: assets, and "
        "failing pipelines counted in `impacted_by`, may be missing"
    )
    top_impacted_truncated_reasons = s.ListField(
        child=s.CharField(),
        help_text="why those walks were truncated (see ImpactSerializer.truncated_reason)",
    )
    cost_24h_aud = s.FloatField(**COST_24H)
    cost_7d_aud = s.FloatField(**COST_7D)
    cost_7d_daily_avg_aud = s.FloatField(**COST_AVG)
    generated_at = s.DateTimeField()


class PipelineSerializer(s.Serializer):
    pipeline_id = s.CharField()
    pipeline_name = s.CharField()
    namespace = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    platform = s.CharField(allow_null=True)
    schedule = s.CharField(allow_null=True)
    expected_interval_minutes = s.IntegerField(allow_null=True)
    freshness_sla_minutes = s.IntegerField(allow_null=True)
    max_duration_minutes = s.IntegerField(allow_null=True)
    runbook_url = s.CharField(allow_null=True)
    tags = s.ListField(child=s.CharField())
    is_active = s.BooleanField()
    created_ts = s.DateTimeField(allow_null=True)
    runs_7d = s.IntegerField()
    failures_7d = s.IntegerField()
    last_end_ts = s.DateTimeField(allow_null=True)
    last_status = s.CharField(allow_null=True, help_text="status of the latest run by start time")
    last_run_id = s.CharField(allow_null=True)
    last_start_ts = s.DateTimeField(allow_null=True)


class ParentPipelineSerializer(s.Serializer):
    parent_pipeline_id = s.CharField()
    parent_namespace = s.CharField(allow_null=True)
    parent_job = s.CharField(allow_null=True)
    last_seen_ts = s.DateTimeField(help_text="the newest event of this pipeline's runs that named it")


class PipelineDetailSerializer(PipelineSerializer):
    parent_pipelines = ParentPipelineSerializer(
        many=True,
        help_text="the jobs its runs' OpenLineage parent facets name (an Airflow DAG, a dbt invocation)",
    )


class PipelineKeysSerializer(s.Serializer):
    columns = s.ListField(child=s.CharField(), help_text="the name of each value in an item")
    items = s.ListField(child=s.ListField(child=s.JSONField()), help_text="one row per pipeline")
    total = s.IntegerField()
    complete = s.BooleanField(help_text="every matching pipeline is listed")


class StaleDatasetSerializer(s.Serializer):
    dataset_id = s.CharField()
    name = s.CharField()
    namespace = s.CharField(allow_null=True)
    kind = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    freshness_sla_minutes = s.IntegerField()
    last_updated_ts = s.DateTimeField(allow_null=True, help_text="null: never updated")
    overdue_minutes = s.IntegerField(allow_null=True, help_text="minutes past the freshness SLA")


class StaleDatasetPageSerializer(s.Serializer):
    items = StaleDatasetSerializer(many=True)
    total = s.IntegerField(help_text="the summary's `stale_datasets` counts the same datasets")
    offset = s.IntegerField()
    limit = s.IntegerField()


class RunSerializer(s.Serializer):
    run_id = s.CharField()
    pipeline_id = s.CharField()
    status = s.CharField()
    start_ts = s.DateTimeField(allow_null=True)
    end_ts = s.DateTimeField(allow_null=True)
    duration_seconds = s.IntegerField(allow_null=True)
    rows_processed = s.IntegerField(allow_null=True)
    error_code = s.CharField(allow_null=True)
    error_message = s.CharField(allow_null=True)
    trigger_type = s.CharField(allow_null=True)
    attempt = s.IntegerField(allow_null=True)
    cost_aud = s.FloatField(allow_null=True, **MONEY)


class IncidentSlaSerializer(s.Serializer):
    window_days = s.IntegerField(help_text="the breach-ratio window")
    runs_in_window = s.IntegerField()
    breached_runs = s.IntegerField()
    breach_ratio = s.FloatField(allow_null=True, help_text="breached_runs / runs_in_window (0.14 = 14 %)")
    max_breach_ratio = s.FloatField(help_text="the ratio allowed; above it the pipeline is breached")
    freshness_lag_minutes = s.FloatField(allow_null=True)
    freshness_sla_minutes = s.IntegerField(allow_null=True)
    max_duration_minutes = s.IntegerField(allow_null=True)
    thresholds_source = s.CharField(help_text="where the thresholds come from, as the SLA answer's")
    last_breached_run_ts = s.DateTimeField(allow_null=True, help_text="end of the latest breaching run")


class IncidentSerializer(s.Serializer):
    incident_id = s.CharField(help_text="run:<run_id>, sla:<pipeline_id> or dq:<run_id>")
    kind = s.ChoiceField(["run_failed", "sla_breach", "dq_assertion_failed"])
    severity = s.ChoiceField(["sev1", "sev2", "sev3", "sev4"])
    detected_ts = s.DateTimeField()
    pipeline_id = s.CharField()
    pipeline_name = s.CharField()
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    runbook_url = s.CharField(allow_null=True)
    impacted_consumers = s.IntegerField(
        help_text=f"consumer assets (dashboards, reports, ML models) {WALK} reaches from the pipeline: "
        "the number its explanation and its /impact (default depth) list; decides severity"
    )
    impact_truncated = s.BooleanField(
        help_text="true when that walk stopped with lineage unwalked: impacted_consumers is a lower bound"
    )
    impact_truncated_reason = s.CharField(**TRUNCATED_REASON)
    run_id = s.CharField(allow_null=True)
    started_ts = s.DateTimeField(allow_null=True)
    ended_ts = s.DateTimeField(allow_null=True)
    attempt = s.IntegerField(allow_null=True)
    error_code = s.CharField(allow_null=True)
    error_message = s.CharField(allow_null=True)
    reasons = s.ListField(child=s.CharField())
    sla = IncidentSlaSerializer(
        allow_null=True,
        help_text="an sla_breach's figures (its pipeline's SLA answer): the numbers behind `reasons`; "
        "null on a failed run",
    )


class SlaThresholdsSerializer(s.Serializer):
    freshness_sla_minutes = s.IntegerField(allow_null=True)
    max_duration_minutes = s.IntegerField(allow_null=True)
    max_breach_ratio = s.FloatField()
    source = s.CharField()


class SlaSerializer(s.Serializer):
    pipeline_id = s.CharField()
    pipeline_name = s.CharField()
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    runbook_url = s.CharField(allow_null=True)
    is_active = s.BooleanField()
    status = s.ChoiceField(["ok", "at_risk", "breached"])
    reasons = s.ListField(child=s.CharField())
    thresholds = SlaThresholdsSerializer()
    window_days = s.IntegerField()
    runs_in_window = s.IntegerField()
    breached_runs = s.IntegerField()
    breach_ratio = s.FloatField(allow_null=True)
    freshness_lag_minutes = s.FloatField(allow_null=True)
    last_success_ts = s.DateTimeField(allow_null=True)
    running_since_ts = s.DateTimeField(allow_null=True)
    freshness_breach_ts = s.DateTimeField(allow_null=True)
    last_breached_run_ts = s.DateTimeField(allow_null=True)
    evaluated_at = s.DateTimeField()


NAMESPACE = {"allow_null": True, "help_text": "the OpenLineage namespace (of the job, or of the dataset)"}


class ImpactNodeSerializer(s.Serializer):
    id = s.CharField()
    kind = s.CharField(help_text="pipeline, or the dataset kind (table, view, dashboard, report, ml_model)")
    name = s.CharField()
    namespace = s.CharField(**NAMESPACE)
    criticality = s.CharField(allow_null=True)
    depth = s.IntegerField()


class ImpactEdgeSerializer(s.Serializer):
    src = s.CharField()
    src_kind = s.CharField()
    dst = s.CharField()
    dst_kind = s.CharField()


class ImpactConsumerSerializer(s.Serializer):
    id = s.CharField()
    name = s.CharField()
    namespace = s.CharField(**NAMESPACE)
    kind = s.CharField()
    criticality = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    depth = s.IntegerField()


class ImpactSerializer(s.Serializer):
    pipeline_id = s.CharField()
    impact_model = s.CharField()
    depth = s.IntegerField(help_text=f"edges walked; {impact.DEFAULT_DEPTH} unless `depth` was given")
    nodes = ImpactNodeSerializer(many=True)
    edges = ImpactEdgeSerializer(many=True)
    impacted_consumers = ImpactConsumerSerializer(many=True)
    nodes_count = s.IntegerField()
    edges_count = s.IntegerField()
    truncated = s.BooleanField(
        help_text="true when the walk stopped with nodes unreached (see truncated_reason)"
    )
    truncated_reason = s.CharField(**TRUNCATED_REASON)
    max_nodes = s.IntegerField(help_text="the walk's node cap, the pipeline included")
    degraded = s.BooleanField(help_text="true when the answer is known to be incomplete")
    degraded_reasons = s.ListField(
        child=s.ChoiceField(["no_lineage", "truncated", "unknown_datasets"]),
        help_text="no_lineage: the pipeline has no outgoing edges; truncated: see truncated_reason; "
        "unknown_datasets: edges name datasets missing from DATASETS",
    )
    generated_at = s.DateTimeField()


class LineageNodeSerializer(ImpactNodeSerializer):
    direction = s.ChoiceField(
        ["origin", "upstream", "downstream", "both"],
        required=False,
        help_text="with `direction` only: which side of the pipeline the node is on",
    )


class LineageSerializer(ImpactSerializer):
    nodes = LineageNodeSerializer(many=True)
    direction = s.ChoiceField(
        list(impact.DIRECTIONS), required=False, help_text="as asked; absent on the deprecated alias"
    )
    deprecated = s.BooleanField(help_text="true without `direction` (the alias of /impact)")
    replacement_endpoint = s.CharField(allow_null=True, help_text="/impact without `direction`; else null")


class DatasetSerializer(s.Serializer):
    dataset_id = s.CharField(help_text="'ds_' + a hash of namespace and name for OpenLineage datasets")
    name = s.CharField()
    namespace = s.CharField(allow_null=True)
    platform = s.CharField(allow_null=True, help_text="the namespace's scheme (snowflake, s3, kafka, ...)")
    kind = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    freshness_sla_minutes = s.IntegerField(allow_null=True)
    last_updated_ts = s.DateTimeField(allow_null=True, help_text="eventTime of the newest COMPLETE write")
    deleted = s.BooleanField(help_text="a lifecycleStateChange DROP no later write has followed")
    deleted_ts = s.DateTimeField(allow_null=True)


DatasetPageSerializer = page_of("DatasetPage", DatasetSerializer)


class DatasetFieldSerializer(s.Serializer):
    name = s.CharField(help_text="nested fields as parent.child")
    type = s.CharField(allow_null=True)
    description = s.CharField(allow_null=True)


class DatasetNodeSerializer(s.Serializer):
    id = s.CharField()
    name = s.CharField(allow_null=True)
    namespace = s.CharField(allow_null=True)
    kind = s.CharField(help_text="pipeline, or the dataset kind of a consumer asset")
    team = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)


class DatasetSymlinkSerializer(s.Serializer):
    dataset_id = s.CharField(help_text="the path's own id, which resolves to this dataset")
    namespace = s.CharField()
    name = s.CharField()


class DatasetFacetSerializer(s.Serializer):
    event_time = s.DateTimeField(help_text="eventTime of the event this value came with")
    value = s.DictField(help_text="the facet as the producer sent it")


class DatasetDetailSerializer(DatasetSerializer):
    resolved_from = s.CharField(allow_null=True, help_text="the path id asked for, when it resolved here")
    description = s.CharField(allow_null=True, help_text="from the documentation facet")
    fields = DatasetFieldSerializer(many=True, help_text="from the schema facet")
    producers = DatasetNodeSerializer(many=True, help_text="pipelines that write it")
    consumers = DatasetNodeSerializer(many=True, help_text="pipelines that read it, consumer assets it feeds")
    symlinks = DatasetSymlinkSerializer(many=True, help_text="paths whose symlinks name it")
    facets = s.DictField(
        child=DatasetFacetSerializer(), help_text="every dataset facet kept, the newest each"
    )


class UpstreamColumnSerializer(s.Serializer):
    dataset_id = s.CharField()
    namespace = s.CharField()
    name = s.CharField()
    field = s.CharField()
    transformation_type = s.CharField(allow_null=True, help_text="DIRECT or INDIRECT (or 1-0's free text)")
    transformation_subtype = s.CharField(
        allow_null=True, help_text="IDENTITY, TRANSFORMATION, AGGREGATION, ..."
    )
    description = s.CharField(allow_null=True)
    masking = s.BooleanField(allow_null=True)


class DatasetColumnSerializer(s.Serializer):
    name = s.CharField()
    type = s.CharField(allow_null=True)
    description = s.CharField(allow_null=True)
    in_schema = s.BooleanField(help_text="false: named by columnLineage only")
    upstream = UpstreamColumnSerializer(many=True)


DatasetColumnPageSerializer = page_of(
    "DatasetColumnPage",
    DatasetColumnSerializer,
    **{
        "dataset_id": s.CharField(),
        "namespace": s.CharField(allow_null=True),
        "name": s.CharField(),
        "schema_event_time": s.DateTimeField(allow_null=True),
        "lineage_event_time": s.DateTimeField(allow_null=True),
    },
)


class CostBreakdownTeamSerializer(s.Serializer):
    team = s.CharField()
    cost_24h_aud = s.FloatField(**MONEY)
    cost_7d_aud = s.FloatField(**MONEY)
    pipelines = s.IntegerField()


class CostBreakdownDomainSerializer(s.Serializer):
    domain = s.CharField()
    cost_24h_aud = s.FloatField(**MONEY)
    cost_7d_aud = s.FloatField(**MONEY)
    pipelines = s.IntegerField()


class CostOverviewSerializer(s.Serializer):
    cost_24h_aud = s.FloatField(**COST_24H)
    cost_7d_aud = s.FloatField(**COST_7D)
    cost_7d_daily_avg_aud = s.FloatField(**COST_AVG)
    by_team = CostBreakdownTeamSerializer(many=True)
    by_domain = CostBreakdownDomainSerializer(many=True)
    window_start = s.DateField()
    window_end = s.DateField()


class CostPointSerializer(s.Serializer):
    date = s.DateField()
    cost_aud = s.FloatField(**MONEY)
    credits_used = s.FloatField()
    runs = s.IntegerField(required=False, help_text="runs with cost that day (left out with counts=false)")
    pipelines = s.IntegerField(required=False, help_text="pipelines with cost that day (as runs)")


class CostTrendSerializer(s.Serializer):
    days = s.IntegerField()
    start_date = s.DateField()
    end_date = s.DateField()
    total_aud = s.FloatField(**MONEY)
    daily_avg_aud = s.FloatField(**MONEY)
    series = CostPointSerializer(many=True)


class PipelineCostSerializer(s.Serializer):
    pipeline_id = s.CharField()
    pipeline_name = s.CharField()
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    days = s.IntegerField()
    total_aud = s.FloatField(**MONEY)
    daily_avg_aud = s.FloatField(**MONEY)
    cost_24h_aud = s.FloatField(**MONEY)
    cost_7d_aud = s.FloatField(**MONEY)
    runs = s.IntegerField()
    series = CostPointSerializer(many=True)


# The pipeline a row of an answer is about, as its attributes stand (unknown ones null). A comment,
# not a docstring: drf-spectacular would give it to every answer built on it as its description.
class PipelineRefSerializer(s.Serializer):
    pipeline_id = s.CharField()
    pipeline_name = s.CharField(allow_null=True)
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)


class OwnedPipelineRefSerializer(PipelineRefSerializer):
    owner = s.CharField(allow_null=True)


class CostRankingItemSerializer(OwnedPipelineRefSerializer):
    cost_aud = s.FloatField(**MONEY)
    runs = s.IntegerField()
    avg_cost_per_run_aud = s.FloatField(**MONEY)
    share_pct = s.FloatField()


class AnomalySerializer(OwnedPipelineRefSerializer):
    date = s.DateField()
    latest_cost_aud = s.FloatField(**MONEY)
    latest_runs = s.IntegerField()
    baseline_median_aud = s.FloatField(allow_null=True, **MONEY)
    baseline_mad_aud = s.FloatField(allow_null=True, **MONEY)
    baseline_runs_per_day = s.FloatField(allow_null=True)
    baseline_cost_per_run_aud = s.FloatField(allow_null=True, **MONEY)
    baseline_days_observed = s.IntegerField()
    delta_aud = s.FloatField(allow_null=True, **MONEY)
    ratio = s.FloatField(allow_null=True, help_text="latest / baseline median")
    robust_z = s.FloatField(
        allow_null=True, help_text="(latest - median) / (1.4826 * MAD); null when MAD = 0"
    )
    severity = s.ChoiceField(["high", "medium", "low"], allow_null=True)
    is_anomaly = s.BooleanField()


class TopCostRunSerializer(s.Serializer):
    run_id = s.CharField()
    cost_aud = s.FloatField(**MONEY)
    credits_used = s.FloatField(allow_null=True)
    warehouse_name = s.CharField(allow_null=True)
    usage_date = s.DateField()
    status = s.CharField(allow_null=True)
    start_ts = s.DateTimeField(allow_null=True)
    end_ts = s.DateTimeField(allow_null=True)
    duration_seconds = s.IntegerField(allow_null=True)
    rows_processed = s.IntegerField(allow_null=True)
    error_code = s.CharField(allow_null=True)
    error_message = s.CharField(allow_null=True)
    trigger_type = s.CharField(allow_null=True)
    attempt = s.IntegerField(allow_null=True)


class BaselineDeltasSerializer(s.Serializer):
    latest_cost_aud = s.FloatField(**MONEY)
    baseline_median_aud = s.FloatField(**MONEY)
    baseline_mad_aud = s.FloatField(allow_null=True, **MONEY)
    delta_aud = s.FloatField(**MONEY)
    delta_pct = s.FloatField(allow_null=True)
    ratio = s.FloatField(allow_null=True)
    robust_z = s.FloatField(allow_null=True)
    latest_runs = s.IntegerField()
    baseline_runs_per_day = s.FloatField(allow_null=True)
    runs_delta_pct = s.FloatField(allow_null=True)
    latest_cost_per_run_aud = s.FloatField(allow_null=True, **MONEY)
    baseline_cost_per_run_aud = s.FloatField(allow_null=True, **MONEY)
    cost_per_run_delta_pct = s.FloatField(allow_null=True)


class DayChangeSerializer(s.Serializer):
    date = s.DateField()
    previous_date = s.DateField(allow_null=True)
    cost_aud = s.FloatField(**MONEY)
    previous_cost_aud = s.FloatField(**MONEY)
    delta_aud = s.FloatField(**MONEY)
    delta_pct = s.FloatField(allow_null=True)


class WarehouseUseSerializer(s.Serializer):
    warehouse_name = s.CharField()
    latest_cost_aud = s.FloatField(**MONEY)
    baseline_cost_aud = s.FloatField(**MONEY)
    new_in_latest_day = s.BooleanField()


class NextActionSerializer(s.Serializer):
    action = s.CharField()
    reason = s.CharField(help_text="the fact behind the action")


class TriagePrefillSerializer(s.Serializer):
    source = s.CharField(allow_null=True)
    pipeline_id = s.CharField()
    run_id = s.CharField(allow_null=True)
    error_code = s.CharField(allow_null=True)
    error_message = s.CharField(allow_null=True)


class InvestigatedPipelineSerializer(s.Serializer):
    pipeline_name = s.CharField()
    team = s.CharField(allow_null=True)
    domain = s.CharField(allow_null=True)
    owner = s.CharField(allow_null=True)
    criticality = s.CharField(allow_null=True)
    runbook_url = s.CharField(allow_null=True)


class InvestigationTrendSerializer(s.Serializer):
    items = CostPointSerializer(many=True, help_text="daily cost over the baseline and the latest day")


class StandingLinksSerializer(s.Serializer):
    api = s.CharField()
    page = s.CharField()


class PolicyPressureSerializer(s.Serializer):
    pressure = s.BooleanField(help_text="SLA breaches past the profile's limit, or an unmanaged exception")
    effective_profile = s.CharField()
    recommended_profile = s.CharField()
    mismatch = s.BooleanField()
    exception_state = s.CharField()
    breach_ratio_7d = s.FloatField(allow_null=True)
    sla_pressure = s.BooleanField()
    links = StandingLinksSerializer()


class DQPressureSerializer(s.Serializer):
    pressure = s.BooleanField(help_text="a DQ standard fails (not waived)")
    status = s.ChoiceField(choices=["pass", "fail", "waived"])
    failing_standards = s.ListField(child=s.CharField())
    exception_status = s.CharField()
    links = StandingLinksSerializer()


class InvestigationSerializer(s.Serializer):
    pipeline_id = s.CharField()
    pipeline = InvestigatedPipelineSerializer()
    date = s.DateField(help_text="the usage day investigated (the latest with cost)")
    baseline_days = s.IntegerField()
    anomaly = AnomalySerializer(allow_null=True)
    trend = InvestigationTrendSerializer()
    top_cost_runs = TopCostRunSerializer(many=True)
    related_incidents = IncidentSerializer(many=True)
    baseline_deltas = BaselineDeltasSerializer(allow_null=True)
    baseline_delta_aud = s.FloatField(allow_null=True, help_text="latest day minus the baseline median, AUD")
    baseline_delta_ratio = s.FloatField(
        allow_null=True, help_text="baseline_delta_aud over the baseline median (0.35 = 35 % above)"
    )
    recent_24h_change = DayChangeSerializer()
    recent_change_24h_aud = s.FloatField(help_text="latest day minus the day before, AUD")
    policy_pressure = PolicyPressureSerializer(allow_null=True, help_text="null without governance")
    dq_pressure = DQPressureSerializer(allow_null=True, help_text="null without governance")
    warehouses = WarehouseUseSerializer(many=True)
    recommended_next_actions = NextActionSerializer(many=True)
    triage_prefill = TriagePrefillSerializer()
    degraded = s.BooleanField()
    warnings = s.ListField(child=s.CharField())
    generated_at = s.DateTimeField()


class SeverityCountsSerializer(s.Serializer):
    sev1 = s.IntegerField()
    sev2 = s.IntegerField()
    sev3 = s.IntegerField()
    sev4 = s.IntegerField()
    incidents = s.IntegerField(help_text="sev1 + sev2 + sev3 + sev4")


class IncidentDaySerializer(SeverityCountsSerializer):
    date = s.DateField(help_text="UTC day of detection")


class IncidentDailySerializer(s.Serializer):
    hours = s.IntegerField()
    since_ts = s.DateTimeField(help_text="the window's start: its day, the first, is partial")
    days = IncidentDaySerializer(many=True, help_text="every UTC day from since_ts's to today, oldest first")
    earlier = SeverityCountsSerializer(
        help_text="ongoing SLA breaches detected before the first day (listed whatever their start, "
        "as /api/incidents lists them)"
    )
    by_severity = s.DictField(child=s.IntegerField(), help_text="the days plus earlier")
    incidents = s.IntegerField(help_text="/api/incidents `total` for the same window and filters")
    generated_at = s.DateTimeField()


PipelinePageSerializer = page_of("PipelinePage", PipelineSerializer)
RunPageSerializer = page_of("RunPage", RunSerializer)
IncidentPageSerializer = page_of(
    "IncidentPage",
    IncidentSerializer,
    hours=s.IntegerField(),
    by_severity=s.DictField(child=s.IntegerField()),
    generated_at=s.DateTimeField(),
)
SlaPageSerializer = page_of(
    "SlaPage", SlaSerializer, days=s.IntegerField(), by_status=s.DictField(child=s.IntegerField())
)
CostRankingPageSerializer = page_of(
    "CostRankingPage",
    CostRankingItemSerializer,
    days=s.IntegerField(),
    start_date=s.DateField(),
    end_date=s.DateField(),
)
AnomalyPageSerializer = page_of(
    "AnomalyPage",
    AnomalySerializer,
    date=s.DateField(allow_null=True),
    baseline_days=s.IntegerField(),
    generated_at=s.DateTimeField(),
)


class LineageEventSerializer(s.Serializer):
    event_id = s.CharField(help_text="assigned on receipt")
    received_ts = s.DateTimeField(help_text="when this source stored it (a replay is kept again)")
    event_time = s.DateTimeField(help_text="the event's eventTime")
    event_type = s.CharField(allow_null=True, help_text="START, RUNNING, COMPLETE, ABORT, FAIL, OTHER")
    kind = s.CharField(help_text="run, job or dataset")  # no enum: one would rename LineageAccepted's
    producer = s.CharField()
    run_id = s.CharField(allow_null=True)
    job_namespace = s.CharField(allow_null=True)
    job_name = s.CharField(allow_null=True)
    pipeline_id = s.CharField(allow_null=True)
    event = s.DictField(help_text="the event as received, every facet included")


class FacetCoverageSerializer(s.Serializer):
    kind = s.CharField(help_text="run, job or dataset (facets, inputFacets, outputFacets)")
    name = s.CharField()
    events = s.IntegerField(help_text="events of this producer that carried it")
    mapped = s.BooleanField(help_text="Control Tower reads it into its tables (else kept raw only)")


class ProducerCoverageSerializer(s.Serializer):
    producer = s.CharField(help_text="the events' `producer` URI")
    events = s.IntegerField()
    last_event_time = s.DateTimeField(allow_null=True)
    facets = FacetCoverageSerializer(many=True)
    mapped = s.IntegerField(help_text="facet names listed that are mapped")
    unmapped = s.IntegerField(help_text="facet names listed that are kept raw only")


LineageEventPageSerializer = page_of("LineageEventPage", LineageEventSerializer)
LineageCoveragePageSerializer = page_of(
    "LineageCoveragePage",
    ProducerCoverageSerializer,
    mapped_facets=s.DictField(
        child=s.ListField(child=s.CharField()),
        help_text="every facet name Control Tower maps, by kind (run, job, dataset)",
    ),
    retention_days=s.IntegerField(help_text="events are kept this many days after receipt; 0: forever"),
)


class ClockSkewSerializer(s.Serializer):
    sent_time = s.DateTimeField(help_text="the eventTime the producer sent")
    ahead_seconds = s.IntegerField(help_text="how far it was ahead of the time it was clamped to")


class RunStateSerializer(s.Serializer):
    event_type = s.CharField(help_text="START, RUNNING, COMPLETE, ABORT, FAIL or OTHER")
    status = s.CharField(help_text="what it means for the run: RUNNING, SUCCESS, FAILED or ABORTED")
    event_time = s.DateTimeField(
        help_text="eventTime; clamped to receipt when it was far ahead of this clock"
    )
    clock_skew = ClockSkewSerializer(allow_null=True, help_text="set when the eventTime was clamped")


class ParentJobSerializer(s.Serializer):
    namespace = s.CharField()
    name = s.CharField()


class ChildRunSerializer(s.Serializer):
    run_id = s.CharField()
    pipeline_id = s.CharField()
    pipeline_name = s.CharField(allow_null=True)
    status = s.CharField()
    start_ts = s.DateTimeField(allow_null=True)
    end_ts = s.DateTimeField(allow_null=True)


class RunErrorSerializer(s.Serializer):
    facet = s.CharField(
        help_text="errorMessage, an exception facet (e.g. spark.exception) or extractionError"
    )
    message = s.CharField()
    language = s.CharField(allow_null=True, help_text="programmingLanguage")
    stack_trace = s.CharField(allow_null=True)
    task = s.CharField(allow_null=True, help_text="extractionError: the task that failed")
    event_ts = s.DateTimeField(help_text="the first event that reported it")


class AssertionSerializer(s.Serializer):
    dataset_id = s.CharField()
    dataset_namespace = s.CharField()
    dataset_name = s.CharField()
    assertion = s.CharField()
    column = s.CharField(allow_null=True)
    success = s.BooleanField(help_text="the latest result (a failure wins a tie)")
    event_ts = s.DateTimeField()


class QualityMetricsSerializer(s.Serializer):
    dataset_namespace = s.CharField()
    dataset_name = s.CharField()
    event_ts = s.DateTimeField()
    metrics = s.DictField(help_text="the newest dataQualityMetrics facet of the dataset, as sent")


class DataQualitySerializer(s.Serializer):
    assertions = AssertionSerializer(many=True)
    metrics = QualityMetricsSerializer(many=True)


class UnmappedFacetSerializer(s.Serializer):
    facet = s.CharField()
    where = s.CharField(help_text="run, job, facets, inputFacets or outputFacets")
    dataset = s.CharField(allow_null=True, help_text="<namespace>/<name> for a dataset facet")
    event_type = s.CharField(allow_null=True)
    event_time = s.DateTimeField()
    value = s.JSONField(allow_null=True, help_text="as sent; null when larger than 20,000 bytes")
    truncated = s.BooleanField()


class RunDetailSerializer(RunSerializer):
    cost_aud = None
    pipeline_name = s.CharField(allow_null=True)
    namespace = s.CharField(allow_null=True)
    nominal_ts = s.DateTimeField(allow_null=True)
    states = RunStateSerializer(many=True, help_text="every state change, in eventTime order")
    parent_run_id = s.CharField(allow_null=True)
    parent_pipeline_id = s.CharField(allow_null=True)
    parent_job = ParentJobSerializer(allow_null=True)
    root_run_id = s.CharField(allow_null=True, help_text="as the parent facet names it, else the top parent")
    root_pipeline_id = s.CharField(allow_null=True)
    children = ChildRunSerializer(many=True, help_text="runs whose parent facet names this run")
    children_total = s.IntegerField()
    errors = RunErrorSerializer(many=True)
    data_quality = DataQualitySerializer()
    unmapped_facets = UnmappedFacetSerializer(
        many=True, help_text="facets of the run's events Control Tower does not map, as received"
    )
