"""Triage request validation (strict types: a number is not a string) and response shapes for the schema."""

from rest_framework import serializers

from controltower.api.fields import StrictCharField, StrictIntegerField
from pipelines_app.api.serializers import TRUNCATED_REASON, ImpactConsumerSerializer

from ..choices import TriageMode

MAX_CONTEXT_DAYS = 90
SUBJECT_FIELDS = ("run_id", "pipeline_id", "error_message", "error_code")
NOTHING_TO_TRIAGE = "Give run_id, pipeline_id, error_message or error_code: there is nothing to triage."


class TriageQueryRequestSerializer(serializers.Serializer):
    source = StrictCharField(required=False, allow_blank=True, max_length=64, default="")
    pipeline_id = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    run_id = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    context_days = StrictIntegerField(required=False, min_value=1, max_value=MAX_CONTEXT_DAYS, default=7)
    mode = serializers.ChoiceField(
        choices=TriageMode.choices, required=False, default=TriageMode.DETERMINISTIC
    )
    user_prompt = StrictCharField(required=False, allow_blank=True, max_length=4000, default="")
    error_message = StrictCharField(required=False, allow_blank=True, max_length=20000, default="")
    error_code = StrictCharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, attrs):
        if not any(attrs.get(k, "").strip() for k in SUBJECT_FIELDS):
            raise serializers.ValidationError({"run_id": NOTHING_TO_TRIAGE})
        return {k: v.strip() if isinstance(v, str) and k != "error_message" else v for k, v in attrs.items()}


# ---- response shapes (documentation for drf-spectacular; views return plain dicts) ----------


class FactSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Fact id cited by statements, e.g. T1, R1, I1, C1.")
    field = serializers.CharField()
    value = serializers.JSONField()
    source = serializers.CharField()


class EvidenceLinkSerializer(serializers.Serializer):
    rel = serializers.CharField()
    href = serializers.CharField()
    fact_ids = serializers.ListField(child=serializers.CharField())


class TraceabilitySerializer(serializers.Serializer):
    telemetry_facts = FactSerializer(many=True)
    runbook_facts = FactSerializer(many=True)
    impact_facts = FactSerializer(many=True)
    cost_facts = FactSerializer(many=True)
    evidence_links = EvidenceLinkSerializer(many=True)


class ImpactSummarySerializer(serializers.Serializer):
    """The impact walk behind `impacted_consumers`: the pipeline's /impact at its default depth."""

    nodes_count = serializers.IntegerField()
    edges_count = serializers.IntegerField()
    degraded = serializers.BooleanField(help_text="true when the impact is known to be incomplete")
    degraded_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="as /impact's (no_lineage, truncated, unknown_datasets), or not_computed: no pipeline "
        "was given or its impact could not be read",
    )
    impact_model = serializers.CharField()
    depth = serializers.IntegerField(help_text="edges walked (the impact walk's default depth)")
    max_nodes = serializers.IntegerField(help_text="the walk's node cap, the pipeline included")
    truncated = serializers.BooleanField(
        help_text="true when the walk stopped with lineage unwalked: impacted_consumers is a lower bound"
    )
    truncated_reason = serializers.CharField(**TRUNCATED_REASON)


class RunbookReferenceSerializer(serializers.Serializer):
    pipeline_id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="configured | missing | invalid_format")
    governance_state = serializers.CharField()
    owner = serializers.CharField()
    sections = serializers.ListField(child=serializers.CharField())


class TriageAnswerSerializer(serializers.Serializer):
    summary = serializers.CharField()
    likely_cause = serializers.CharField()
    impacted_consumers = ImpactConsumerSerializer(many=True)
    impact_summary = ImpactSummarySerializer()
    next_actions = serializers.ListField(child=serializers.CharField())
    runbook_references = RunbookReferenceSerializer(many=True)
    degraded = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    confidence = serializers.FloatField()
    confidence_reason = serializers.CharField()
    mode = serializers.CharField(help_text="deterministic_rules_v1 | assisted_<provider>_v1")
    requested_mode = serializers.CharField()
    facts_used = FactSerializer(many=True)
    traceability = TraceabilitySerializer()
    evidence = serializers.DictField(
        help_text="rule, signal, statements (text + fact_ids), assisted details."
    )
    generated_at = serializers.DateTimeField()
    triage_hints = serializers.ListField(
        child=serializers.CharField(), help_text="Legacy: cause, actions, runbook hints."
    )


class ExplainRunSerializer(TriageAnswerSerializer):
    run = serializers.DictField()
    runbook_url = serializers.CharField(allow_null=True)


class AssistedTelemetrySerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    since = serializers.DateTimeField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_provider = serializers.DictField(child=serializers.IntegerField())
    by_error_class = serializers.DictField(child=serializers.IntegerField())
    latency_ms = serializers.DictField()
    tokens = serializers.DictField(child=serializers.IntegerField())
    dropped_statements = serializers.IntegerField()
    recent = serializers.ListField(child=serializers.DictField())
    generated_at = serializers.DateTimeField()


class ProviderStatusSerializer(serializers.Serializer):
    requested_provider = serializers.CharField(allow_null=True)
    selected_provider = serializers.CharField(allow_null=True)
    enabled = serializers.BooleanField()
    configured = serializers.BooleanField()
    mode = serializers.CharField(allow_null=True)
    failure_policy = serializers.CharField()
    retry = serializers.DictField()
    timeout_s = serializers.FloatField()
    providers = serializers.DictField(
        help_text="Per provider: configured, missing_settings, non-secret settings."
    )
    generated_at = serializers.DateTimeField()
