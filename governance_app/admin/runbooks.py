"""Runbook governance in the admin (operators may change it); saves go through actions."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from controltower.roles import OPERATOR

from .. import actions
from ..models import RunbookGovernance
from .base import GovernanceAdmin


@admin.register(RunbookGovernance)
class RunbookGovernanceAdmin(GovernanceAdmin):
    write_role = OPERATOR
    list_display = ("pipeline_id", "state", "owner", "updated_by", "updated_at", "history")
    list_filter = ("state",)
    search_fields = ("pipeline_id", "owner", "notes")
    fields = ("pipeline_id", "state", "owner", "notes", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "pipeline_id") if obj else self.readonly_fields

    @admin.display(description="history")
    def history(self, obj) -> str:
        url = reverse("admin:governance_runbookauditevent_changelist")
        return format_html('<a href="{}?{}">history</a>', url, urlencode({"target_id": obj.pipeline_id}))

    def save_model(self, request, obj, form, change):
        row = actions.upsert_runbook_governance(
            obj.pipeline_id,
            actor=request.user,
            state=obj.state,
            owner=obj.owner,
            notes=obj.notes,
            reason="Changed in the admin",
        )
        obj.pk, obj._state.adding = row.pk, False

    def delete_model(self, request, obj):
        actions.remove_runbook_governance(obj.pipeline_id, actor=request.user, reason="Removed in the admin")

    def delete_queryset(self, request, queryset):
        for row in queryset:
            self.delete_model(request, row)
        messages.info(request, "Removals were recorded in the runbook history.")
