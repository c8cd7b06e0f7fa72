"""Triage rules are edited here (ordered, enable/disable in the list), each change kept in the
rule's History with the person and the values it replaced; assisted attempts are read-only. Both
live on each source API (Django's model permissions decide who may see or edit them)."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from controltower.admin_roles import SOURCE, RoleAdmin

from . import default_rules
from .models import AssistedAttempt, TriageRule


@admin.register(TriageRule)
class TriageRuleAdmin(SimpleHistoryAdmin, RoleAdmin):
    served_on = SOURCE
    list_display = ("order", "name", "category", "enabled", "base_confidence", "systems", "updated_at")
    list_display_links = ("name",)
    list_editable = ("order", "enabled")
    list_filter = ("enabled", "category")
    search_fields = ("name", "likely_cause", "error_code_pattern", "message_regex", "description")
    ordering = ("order", "name")
    actions = ("enable", "disable", "restore_shipped_defaults")
    fieldsets = (
        (None, {"fields": ("name", "order", "enabled", "category", "description")}),
        ("Signature", {"fields": ("error_code_pattern", "message_regex", "source_systems")}),
        ("Answer", {"fields": ("likely_cause", "next_actions", "runbook_hints", "base_confidence")}),
    )

    @admin.display(description="Systems")
    def systems(self, rule: TriageRule) -> str:
        return ", ".join(rule.source_systems) or "any"

    @admin.action(description="Enable selected rules")
    def enable(self, request, queryset):
        self._set_enabled(queryset, True, "Enabled in the rule list")

    @admin.action(description="Disable selected rules")
    def disable(self, request, queryset):
        self._set_enabled(queryset, False, "Disabled in the rule list")

    def _set_enabled(self, queryset, enabled: bool, reason: str) -> None:
        for rule in queryset:  # one save each (not update()): each change lands in the history
            rule.enabled, rule._change_reason = enabled, reason
            rule.save()

    @admin.action(description="Restore the shipped rules to their defaults (other rules untouched)")
    def restore_shipped_defaults(self, request, queryset):
        created, updated = default_rules.install(TriageRule, overwrite=True)
        self.message_user(request, f"Shipped rules: {created} created, {updated} reset.", messages.SUCCESS)


@admin.register(AssistedAttempt)
class AssistedAttemptAdmin(RoleAdmin):
    served_on = SOURCE
    list_display = (
        "created_at",
        "provider",
        "model",
        "status",
        "error_class",
        "tries",
        "latency_ms",
        "tokens",
        "run_id",
    )
    list_filter = ("status", "provider", "error_class")
    search_fields = ("run_id", "pipeline_id", "request_id", "model")
    date_hierarchy = "created_at"

    @admin.display(description="Tokens in/out")
    def tokens(self, attempt: AssistedAttempt) -> str:
        if attempt.input_tokens is None and attempt.output_tokens is None:
            return "-"
        return f"{attempt.input_tokens or 0}/{attempt.output_tokens or 0}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
