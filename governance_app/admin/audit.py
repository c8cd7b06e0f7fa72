"""Audit trails in the admin: searchable, filterable, and read-only for everyone."""

import json

from django.contrib import admin
from django.utils.html import format_html

from ..models import DQAuditEvent, PolicyAuditEvent, RunbookAuditEvent
from .base import GovernanceAdmin


class AuditEventAdmin(GovernanceAdmin):
    list_display = (
        "changed_at",
        "action",
        "scope",
        "target_id",
        "changed_by",
        "short_reason",
        "change",
        "request_id",
    )
    list_filter = ("action", "scope", "changed_at")
    search_fields = ("target_id", "changed_by", "reason", "request_id")
    date_hierarchy = "changed_at"
    ordering = ("-changed_at", "-id")
    readonly_fields = (
        "action",
        "scope",
        "target_id",
        "changed_by",
        "changed_at",
        "reason",
        "old_json",
        "new_json",
        "request_id",
    )
    exclude = ("old_value", "new_value")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="reason")
    def short_reason(self, obj) -> str:
        return obj.reason if len(obj.reason) <= 60 else obj.reason[:57] + "..."

    @admin.display(description="change")
    def change(self, obj) -> str:
        """The fields whose value differs between old and new, e.g. `profile: strict -> relaxed`."""
        old, new = obj.old_value or {}, obj.new_value or {}
        if not old or not new:
            return "created" if new else "removed"
        diffs = [f"{k}: {old.get(k)} -> {new.get(k)}" for k in new if old.get(k) != new.get(k)]
        return "; ".join(diffs[:4]) or "-"

    @admin.display(description="old value")
    def old_json(self, obj) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.old_value, indent=2, sort_keys=True))

    @admin.display(description="new value")
    def new_json(self, obj) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.new_value, indent=2, sort_keys=True))


admin.site.register(PolicyAuditEvent, AuditEventAdmin)
admin.site.register(DQAuditEvent, AuditEventAdmin)
admin.site.register(RunbookAuditEvent, AuditEventAdmin)
