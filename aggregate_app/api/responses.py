"""Response-only serializers for the control tier's own answers (what no single source route
answers, so the schema hook cannot derive them): the pipeline catalogue's envelope, governance
drilldowns and diagnostics. `_meta` is added to each by aggregate_app.api.schema.document_meta."""

from rest_framework import serializers as s

from aggregate_app.drilldown import CHOICES


class CatalogRowSerializer(s.Serializer):
    """One pipeline as the sources see it, merged when their identities agree."""

    pipeline_id = s.CharField()
    pipeline_name = s.CharField(allow_null=True)
    namespace = s.CharField(allow_null=True)
    sources = s.ListField(child=s.CharField(), help_text="the sources that have this pipeline")
    by_source = s.DictField(child=s.DictField(), help_text="each source's own row, by source name")

    class Meta:
        # the other fields are the source row's (GET /api/pipelines items): counts and money added,
        # timestamps the latest, flags raised if any source raises them; a source whose row could not
        # be read contributes its key fields only
        ref_name = "AggregateCatalogRow"


class CatalogPageSerializer(s.Serializer):
    items = CatalogRowSerializer(many=True)
    total = s.IntegerField(help_text="every pipeline the filters match across the sources (exact)")
    offset = s.IntegerField()
    limit = s.IntegerField()
    sort = s.CharField()
    order = s.ChoiceField(["asc", "desc"])


class DrilldownSerializer(s.Serializer):
    drilldown = s.ChoiceField(CHOICES)
    days = s.IntegerField()
    limit = s.IntegerField()
    total = s.IntegerField(help_text="rows the drilldown found across the sources, before `limit`")
    items = s.ListField(
        child=s.DictField(),
        help_text="the source list's rows behind the number, each with its `source` (runbook_coverage: "
        "one row per team with pipelines, with_runbook, missing, coverage_pct and by_source)",
    )
    by_source = s.DictField(
        child=s.JSONField(), help_text="rows per source (runbook_coverage: {pipelines, missing} per source)"
    )
    source_rows_truncated = s.BooleanField(
        help_text="true when a source listed only its first rows (its list was longer than the window read)"
    )


class SourceBuildSerializer(s.Serializer):
    ok = s.BooleanField()
    build = s.DictField(allow_null=True, help_text="the source's /version `build`")
    error = s.CharField(allow_null=True)


class BuildsSerializer(s.Serializer):
    control = s.DictField(help_text="this tier's build identity (BUILD_ID, GIT_SHA, RELEASE_TAG, tier)")
    sources = s.DictField(child=SourceBuildSerializer(), help_text="by source name")


class StatusSectionSerializer(s.Serializer):
    status = s.CharField(help_text="ok, not_configured, not_available, unreachable, ...")
    reason = s.CharField(required=False)


class DiagnosticsSerializer(s.Serializer):
    builds = BuildsSerializer()
    reconciliation = s.DictField(
        help_text="whether every tier runs the same build, and the fields that differ"
    )
    assisted = s.DictField(
        child=s.DictField(allow_null=True),
        help_text="per source: its assisted-triage provider status and stats (null where unreadable)",
    )
    breakers = s.DictField(
        child=s.DictField(), help_text="per source: {url, state, consecutive_failures} of its circuit breaker"
    )
    ci = StatusSectionSerializer(help_text="recent GitHub Actions outcomes, when configured")
    smoke = StatusSectionSerializer(help_text="the scheduled smoke runs' latest outcomes")
    sections = s.DictField(
        child=s.DictField(), help_text="sections the apps above the control tier add (e.g. alert channels)"
    )
