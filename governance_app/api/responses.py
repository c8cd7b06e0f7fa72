"""The governance API's answers as the schema shows them: response-only serializers, one per
shape the views and domain modules (dq, policies, registers, runbooks, scorecards, posture,
reports) build. Nothing here validates input; serializers.py does that."""

from rest_framework import serializers as s

from pipelines_app.api.serializers import OwnedPipelineRefSerializer, PipelineRefSerializer

from .serializers import (
    AuditEventSerializer,
    DQStandardSerializer,
    PolicyAssignmentSerializer,
    RunbookGovernanceSerializer,
)


def counts(**options) -> s.DictField:
    """A map of names to counts."""
    return s.DictField(child=s.IntegerField(), **options)


class ListPageSerializer(s.Serializer):
    """A list's envelope (controltower.api.query.page): the page's items, the total, the window."""

    total = s.IntegerField()
    offset = s.IntegerField()
    limit = s.IntegerField()


class AuditEventPageSerializer(ListPageSerializer):
    items = AuditEventSerializer(many=True)


class AuditExportSerializer(s.Serializer):
    columns = s.ListField(child=s.CharField(), help_text="the CSV's columns, in order")
    items = AuditEventSerializer(many=True)
    total = s.IntegerField()
    generated_at = s.DateTimeField()


# DQ


class DQValuesSerializer(s.Serializer):
    runbook_required = s.BooleanField()
    max_breach_ratio = s.FloatField()
    max_failures_7d = s.IntegerField()


class DQStandardsPageSerializer(ListPageSerializer):
    items = DQStandardSerializer(many=True)
    baseline = DQValuesSerializer(help_text="what applies where no standard is set")
    precedence = s.ListField(child=s.CharField(), help_text="most specific first")


class DQCheckSerializer(s.Serializer):
    standard = s.CharField(help_text="runbook_required, max_failures_7d or max_breach_ratio")
    threshold = s.JSONField(help_text="the standard's value: a boolean, an integer or a ratio")
    actual = s.JSONField(
        help_text="the runbook's status (configured, missing, invalid_format), failures in 7 days, or "
        "the breach ratio (null without finished runs)"
    )
    runbook_governance_state = s.CharField(required=False, help_text="runbook_required only")
    passed = s.BooleanField()
    status = s.CharField(help_text="pass, fail or waived (failed, under an approved exception)")


class DQEvidenceSerializer(s.Serializer):
    runs_7d = s.IntegerField()
    failures_7d = s.IntegerField()
    breach_ratio_7d = s.FloatField(allow_null=True)
    runbook_governance_state = s.CharField()


class DQEffectiveSerializer(PipelineRefSerializer):
    effective_profile = s.CharField()
    standards = DQValuesSerializer(help_text="the values in effect")
    standard_sources = s.DictField(
        child=s.CharField(), help_text="per standard: `scope:target_id` or baseline"
    )
    checks = DQCheckSerializer(many=True)
    status = s.CharField(help_text="pass, fail or waived")
    failing_standards = s.ListField(child=s.CharField())
    exception_scope = s.CharField(allow_null=True, help_text="`scope:target_id` of the exception, if any")
    exception_status = s.CharField()
    exception_expires_at = s.DateTimeField(allow_null=True)
    evidence = DQEvidenceSerializer()
    remediation_suggestions = s.ListField(child=s.CharField())
    action_links = s.DictField(child=s.CharField(), help_text="ops pages for this pipeline, by view")


class DQSummarySerializer(s.Serializer):
    pipelines = s.IntegerField()
    passing = s.IntegerField()
    failing = s.IntegerField()
    waived = s.IntegerField()
    failing_by_team = counts()
    failing_by_domain = counts()
    failing_by_profile = counts()
    failing_standards_counts = counts()


class DQEffectivePageSerializer(ListPageSerializer):
    items = DQEffectiveSerializer(many=True)
    summary = DQSummarySerializer(help_text="over every pipeline the attribute filters match")
    baseline = DQValuesSerializer()
    generated_at = s.DateTimeField()


# exceptions


class DQStandardValuesSerializer(s.Serializer):
    runbook_required = s.BooleanField(allow_null=True)
    max_breach_ratio = s.FloatField(allow_null=True)
    max_failures_7d = s.IntegerField(allow_null=True)


class ExceptionEntrySerializer(s.Serializer):
    id = s.IntegerField()
    kind = s.CharField(help_text="policy or dq")
    scope = s.CharField()
    target_id = s.CharField()
    status = s.CharField(help_text="the live status (an approved exception past its expiry is expired)")
    recorded_status = s.CharField()
    is_active = s.BooleanField()
    exception_reason = s.CharField(allow_blank=True)
    proposed_by = s.CharField(allow_blank=True)
    proposed_at = s.DateTimeField(allow_null=True)
    exception_reviewer = s.CharField(allow_blank=True)
    exception_reviewed_at = s.DateTimeField(allow_null=True)
    review_note = s.CharField(allow_blank=True)
    exception_expires_at = s.DateTimeField(allow_null=True)
    review_due_at = s.DateTimeField(allow_null=True)
    waiver_template = s.CharField(allow_blank=True)
    days_to_expiry = s.FloatField(allow_null=True)
    profile = s.CharField(required=False, help_text="a policy exception's profile")
    standards = DQStandardValuesSerializer(
        required=False, help_text="a DQ exception's standards (null: inherited)"
    )


class PolicyExceptionEntrySerializer(ExceptionEntrySerializer):
    standards = None
    profile = s.CharField()


class DQExceptionEntrySerializer(ExceptionEntrySerializer):
    profile = None
    standards = DQStandardValuesSerializer(help_text="the standards set (null: inherited)")


class ReviewQueueEntrySerializer(ExceptionEntrySerializer):
    due_state = s.CharField(help_text="overdue, due_soon or awaiting_review")


class PolicyExceptionRegisterSerializer(ListPageSerializer):
    items = PolicyExceptionEntrySerializer(many=True)
    counts = counts(help_text="by live status")
    generated_at = s.DateTimeField()


class DQExceptionRegisterSerializer(PolicyExceptionRegisterSerializer):
    items = DQExceptionEntrySerializer(many=True)


class ReviewQueueSerializer(ListPageSerializer):
    items = ReviewQueueEntrySerializer(many=True)
    counts = counts(help_text="overdue, due_soon, awaiting_review")
    within_days = s.IntegerField()
    generated_at = s.DateTimeField()


# policies


class PolicyThresholdsSerializer(s.Serializer):
    freshness_sla_minutes = s.IntegerField(allow_null=True)
    max_duration_minutes = s.IntegerField(allow_null=True)
    max_breach_ratio = s.FloatField()


class ProfileSerializer(s.Serializer):
    profile = s.CharField()
    description = s.CharField()
    thresholds = PolicyThresholdsSerializer()
    recommended_for_criticality = s.ListField(child=s.CharField())


class ProfilesSerializer(s.Serializer):
    items = ProfileSerializer(many=True)
    total = s.IntegerField()
    recommended_by_criticality = s.DictField(child=s.CharField())
    unknown_criticality_profile = s.CharField()
    precedence = s.ListField(child=s.CharField(), help_text="most specific first")
    assignments = PolicyAssignmentSerializer(many=True, help_text="the active assignments")


class PolicyEffectiveSerializer(PipelineRefSerializer):
    recommended_profile = s.CharField()
    assigned_profile = s.CharField(allow_null=True)
    assigned_scope = s.CharField(allow_null=True)
    assigned_target_id = s.CharField(allow_null=True)
    effective_profile = s.CharField()
    mismatch = s.BooleanField()
    exception_state = s.CharField()
    exception_status = s.CharField()
    exception_expires_at = s.DateTimeField(allow_null=True)
    thresholds = PolicyThresholdsSerializer()
    thresholds_source = s.CharField(help_text="pipeline (its own columns) or the profile's name")
    runs_7d = s.IntegerField()
    breach_ratio_7d = s.FloatField(allow_null=True)
    sla_pressure = s.BooleanField()


class PolicySummarySerializer(s.Serializer):
    pipelines = s.IntegerField()
    assigned = s.IntegerField()
    mismatches = s.IntegerField()
    sla_pressure = s.IntegerField()
    unmanaged_exception_count = s.IntegerField()
    approved_exception_count = s.IntegerField()
    expired_exception_count = s.IntegerField()
    rejected_exception_count = s.IntegerField()
    proposed_exception_count = s.IntegerField()
    by_effective_profile = counts()


class PolicyEffectivePageSerializer(ListPageSerializer):
    items = PolicyEffectiveSerializer(many=True)
    summary = PolicySummarySerializer(help_text="over every pipeline the attribute filters match")
    generated_at = s.DateTimeField()


# runbooks


class RunbookCatalogEntrySerializer(OwnedPipelineRefSerializer):
    sla_minutes = s.IntegerField(allow_null=True)
    runbook_url = s.CharField(allow_null=True)
    runbook_status = s.CharField(help_text="configured, missing or invalid_format")
    tags = s.ListField(child=s.CharField())
    governance_state = s.CharField()
    governance_owner = s.CharField(allow_blank=True)
    governance_notes = s.CharField(allow_blank=True)
    governance_updated_by = s.CharField(allow_blank=True)
    governance_updated_at = s.DateTimeField(allow_null=True)


class RunbookCoverageSerializer(s.Serializer):
    total = s.IntegerField()
    configured = s.IntegerField()
    missing = s.IntegerField()
    invalid_format = s.IntegerField()
    coverage_ratio = s.FloatField(allow_null=True)


class RunbookCatalogPageSerializer(ListPageSerializer):
    items = RunbookCatalogEntrySerializer(many=True)
    coverage = RunbookCoverageSerializer(help_text="over every pipeline the filters match")


class RunbookGovernancePageSerializer(ListPageSerializer):
    items = RunbookGovernanceSerializer(many=True)
    counts_by_state = counts()


class RunbookRemovedSerializer(s.Serializer):
    pipeline_id = s.CharField()
    removed = s.BooleanField()


# scorecards, posture, reports


class ScoreInputsSerializer(s.Serializer):
    pipelines = s.IntegerField()
    dq_failures = s.IntegerField()
    policy_aligned = s.IntegerField()
    policy_mismatches = s.IntegerField()
    unmanaged_exceptions = s.IntegerField()
    runbooks_configured = s.IntegerField()
    owned = s.IntegerField()
    anomaly_count = s.IntegerField()
    breached_runs = s.IntegerField()
    finished_runs = s.IntegerField()
    previous_breached_runs = s.IntegerField()
    previous_finished_runs = s.IntegerField()


class ScorecardRowSerializer(s.Serializer):
    team = s.CharField()
    score = s.FloatField(help_text="0-100")
    grade = s.CharField(help_text="A-F")
    pipelines = s.IntegerField()
    dq_failures = s.IntegerField()
    dq_pass_ratio = s.FloatField()
    policy_mismatches = s.IntegerField()
    unmanaged_exceptions = s.IntegerField()
    policy_aligned_ratio = s.FloatField()
    runbook_coverage = s.FloatField()
    ownership_ratio = s.FloatField()
    anomaly_count = s.IntegerField()
    breach_ratio = s.FloatField(allow_null=True)
    previous_breach_ratio = s.FloatField(allow_null=True)
    sla_pressure_trend = s.CharField(allow_null=True, help_text="up, down or flat")


class ScorecardSerializer(ScorecardRowSerializer):
    score_inputs = ScoreInputsSerializer(help_text="the counts the score is computed from")


class ScorecardPageSerializer(ListPageSerializer):
    items = ScorecardSerializer(many=True)
    average_score = s.FloatField(allow_null=True)
    columns = s.ListField(child=s.CharField())
    generated_at = s.DateTimeField()


class ScorecardExportSerializer(s.Serializer):
    columns = s.ListField(child=s.CharField(), help_text="the CSV's columns, in order")
    items = ScorecardRowSerializer(many=True)
    total = s.IntegerField()
    generated_at = s.DateTimeField()


class PostureSlaSerializer(s.Serializer):
    runs_7d = s.IntegerField()
    breaches_7d = s.IntegerField()
    previous_runs_7d = s.IntegerField()
    previous_breaches_7d = s.IntegerField()
    breach_ratio_7d = s.FloatField(allow_null=True)
    previous_breach_ratio_7d = s.FloatField(allow_null=True)
    trend = s.CharField(allow_null=True, help_text="up, down or flat")


class PostureSerializer(s.Serializer):
    generated_at = s.DateTimeField()
    pipelines = s.IntegerField()
    posture_score = s.FloatField(allow_null=True, help_text="null without pipelines")
    grade = s.CharField(allow_null=True)
    policy = PolicySummarySerializer()
    dq = DQSummarySerializer()
    runbooks = RunbookCoverageSerializer()
    ownership_ratio = s.FloatField(allow_null=True)
    score_inputs = ScoreInputsSerializer(allow_null=True)
    exceptions = s.DictField(child=counts(), help_text="per kind (policy, dq): by live status")
    reviews = counts(help_text="overdue, due_soon, awaiting_review")
    sla = PostureSlaSerializer()
    cost_anomalies_7d = s.IntegerField()


class PosturePointSerializer(s.Serializer):
    date = s.DateField()
    runs = s.IntegerField()
    failures = s.IntegerField()
    breaches = s.IntegerField()
    breach_ratio = s.FloatField(allow_null=True)
    governance_changes = s.IntegerField()
    policy_assignments = s.IntegerField()
    dq_standards = s.IntegerField()
    policy_mismatches = s.IntegerField()
    unmanaged_exceptions = s.IntegerField()
    approved_exceptions = s.IntegerField()
    expired_exceptions = s.IntegerField()
    proposed_exceptions = s.IntegerField()


class PostureTrendSerializer(s.Serializer):
    days = s.IntegerField()
    items = PosturePointSerializer(many=True, help_text="one per UTC day, oldest first; the last is today")
    total = s.IntegerField()
    generated_at = s.DateTimeField()


class ReportPeriodSerializer(s.Serializer):
    start = s.DateTimeField()
    end = s.DateTimeField()
    days = s.IntegerField()


class ReportHeadlineSerializer(s.Serializer):
    posture_score = s.FloatField(allow_null=True)
    grade = s.CharField(allow_null=True)
    pipelines = s.IntegerField()
    dq_pass_ratio = s.FloatField(allow_null=True)
    runbook_coverage = s.FloatField(allow_null=True)
    ownership_ratio = s.FloatField(allow_null=True)
    policy_mismatches = s.IntegerField()
    unmanaged_exceptions = s.IntegerField()
    overdue_reviews = s.IntegerField()
    breach_ratio_7d = s.FloatField(allow_null=True)
    breach_trend = s.CharField(allow_null=True)
    cost_anomalies_7d = s.IntegerField()


class ReportRiskSerializer(s.Serializer):
    severity = s.CharField(help_text="high, medium or low")
    kind = s.CharField()
    subject = s.CharField()
    detail = s.CharField()


class ReportChangesSerializer(s.Serializer):
    current = counts(help_text="audit rows per kind and exception action, this period")
    previous = counts(help_text="the same, the period before")
    delta = counts()


class ExecutiveReportSerializer(s.Serializer):
    title = s.CharField()
    period = ReportPeriodSerializer()
    headline = ReportHeadlineSerializer()
    top_risks = ReportRiskSerializer(many=True)
    changes_since_last_period = ReportChangesSerializer()
    weakest_teams = ScorecardSerializer(many=True, help_text="the five lowest scores")
    generated_at = s.DateTimeField()


class BundleBuildSerializer(s.Serializer):
    build_id = s.CharField()
    git_sha = s.CharField()
    release_tag = s.CharField()


class ExportBundleSerializer(s.Serializer):
    bundle_version = s.IntegerField()
    generated_at = s.DateTimeField()
    build = BundleBuildSerializer()
    degraded = s.BooleanField(help_text="the warehouse could not be read: the telemetry parts are null")
    telemetry_error = s.CharField(allow_null=True)
    profiles = ProfileSerializer(many=True)
    recommended_by_criticality = s.DictField(child=s.CharField())
    dq_baseline = DQValuesSerializer()
    policy_assignments = PolicyAssignmentSerializer(many=True)
    dq_standards = DQStandardSerializer(many=True)
    runbook_governance = RunbookGovernanceSerializer(many=True)
    exceptions = s.DictField(
        child=s.ListField(child=ExceptionEntrySerializer()), help_text="per kind: policy, dq"
    )
    review_queue = ReviewQueueEntrySerializer(many=True)
    history = s.DictField(
        child=s.ListField(child=AuditEventSerializer()), help_text="per kind: policy, dq, runbook"
    )
    effective_policies = PolicyEffectiveSerializer(many=True, allow_null=True)
    dq_effective = DQEffectiveSerializer(many=True, allow_null=True)
    runbook_catalog = RunbookCatalogEntrySerializer(many=True, allow_null=True)
    scorecards = ScorecardSerializer(many=True, allow_null=True)
    posture = PostureSerializer(allow_null=True)
