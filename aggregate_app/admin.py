"""Admin for the job records: smoke runs (read-only, with their checks) and cost anomalies
(read-only figures; acknowledge as an action)."""

from django.contrib import admin, messages

from controltower.admin_roles import RoleAdmin
from controltower.roles import OPERATOR, VIEWER, has_role

from .jobs import anomaly_records
from .models import CostAnomalyRecord, SmokeCheck, SmokeRun


class ReadOnly(RoleAdmin):
    """Rows written by the jobs: viewable by staff with the viewer role (as governance's admin
    follows the API roles), never edited or added by hand."""

    view_role = VIEWER

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SmokeCheckInline(admin.TabularInline):
    model = SmokeCheck
    fields = ("position", "name", "status", "reason", "elapsed_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or has_role(request.user, VIEWER)


@admin.register(SmokeRun)
class SmokeRunAdmin(ReadOnly):
    list_display = ("started_at", "contract", "target_name", "status", "checks_summary", "alert_kind")
    list_filter = ("status", "contract", "target_name", "alert_kind")
    search_fields = ("target_name", "target_url", "checks__name", "checks__reason")
    date_hierarchy = "started_at"
    inlines = [SmokeCheckInline]

    @admin.display(description="checks")
    def checks_summary(self, run: SmokeRun) -> str:
        failed = f" — failed: {', '.join(run.failed_checks)}" if run.failed_checks else ""
        return f"{run.checks_total - run.checks_failed}/{run.checks_total} passed{failed}"


@admin.register(CostAnomalyRecord)
class CostAnomalyRecordAdmin(ReadOnly):
    list_display = (
        "source", "pipeline_id", "pipeline_name", "team", "severity", "ratio", "latest_cost_aud",
        "usage_date", "status", "first_seen_at", "last_seen_at",
    )  # fmt: skip
    list_filter = ("status", "severity", "source", "team")
    search_fields = ("pipeline_id", "pipeline_name", "team", "domain")
    date_hierarchy = "first_seen_at"
    actions = ["acknowledge"]

    def has_acknowledge_permission(self, request) -> bool:
        return has_role(request.user, OPERATOR)

    @admin.action(description="Acknowledge the selected open anomalies", permissions=["acknowledge"])
    def acknowledge(self, request, queryset):
        done = anomaly_records.acknowledge(queryset, actor=request.user.get_username())
        self.message_user(request, f"{done} anomaly record(s) acknowledged.", messages.SUCCESS)
