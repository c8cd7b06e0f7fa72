"""Alerting in the admin: routing rules edited by governance admins, each change kept in the
rule's History (who, when, the values before); incidents, their audit events and notifications
read-only, with acknowledge and resolve as actions that call the same audited verbs."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from controltower.admin_roles import RoleAdmin
from controltower.roles import GOVERNANCE_ADMIN, OPERATOR, VIEWER, has_role

from . import actions
from .choices import State
from .models import AlertEvent, AlertIncident, Notification, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin, RoleAdmin):
    view_role, write_role = VIEWER, GOVERNANCE_ADMIN
    list_display = ("name", "enabled", "matches", "channel_names", "quiet_start", "quiet_end")
    list_editable = ("enabled",)
    list_filter = ("enabled", "kind", "severity", "source")
    search_fields = ("name", "team", "domain", "description")
    fieldsets = (
        (None, {"fields": ("name", "enabled", "description")}),
        ("Match (blank matches anything)", {"fields": RoutingRule.MATCH_FIELDS}),
        ("Route", {"fields": ("channels", "quiet_start", "quiet_end")}),
    )

    @admin.display(description="Matches")
    def matches(self, rule: RoutingRule) -> str:
        parts = [f"{f}={getattr(rule, f)}" for f in RoutingRule.MATCH_FIELDS if getattr(rule, f)]
        return ", ".join(parts) or "everything"

    @admin.display(description="Channels")
    def channel_names(self, rule: RoutingRule) -> str:
        return ", ".join(rule.channels)


class ReadOnly(RoleAdmin):
    view_role = VIEWER

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    fields = ("transition", "channel", "status", "attempts", "delivered_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or has_role(request.user, VIEWER)


@admin.register(AlertIncident)
class AlertIncidentAdmin(ReadOnly):
    list_display = ("last_seen_at", "kind", "source", "subject", "state", "count", "root", "team")
    list_filter = ("state", "kind", "source", "severity")
    search_fields = ("subject", "title", "team", "fingerprint")
    list_select_related = ("root",)
    date_hierarchy = "last_seen_at"
    inlines = [NotificationInline]
    actions = ("acknowledge", "resolve")

    def _each(self, request, queryset, verb, **kwargs) -> None:
        if not has_role(request.user, OPERATOR):
            self.message_user(request, "Acknowledging and resolving need the operator role.", messages.ERROR)
            return
        done = 0
        for incident in queryset.exclude(state=State.RESOLVED):
            try:
                verb(incident, actor=request.user.get_username(), **kwargs)
                done += 1
            except actions.AlertStateError:
                pass
        self.message_user(request, f"{done} alert(s) updated.", messages.SUCCESS)

    @admin.action(description="Acknowledge selected alerts")
    def acknowledge(self, request, queryset):
        self._each(request, queryset, actions.acknowledge, reason="From the admin")

    @admin.action(description="Resolve selected alerts")
    def resolve(self, request, queryset):
        self._each(request, queryset, actions.resolve, reason="Resolved in the admin")


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnly):
    list_display = ("at", "incident", "action", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("actor", "reason", "incident__subject")
    list_select_related = ("incident",)


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "incident", "transition", "channel", "status", "attempts", "delivered_at")
    list_filter = ("status", "transition", "channel")
    search_fields = ("idempotency_key", "channel", "incident__subject")
    list_select_related = ("incident",)
