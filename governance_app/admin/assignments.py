"""Policy assignments and DQ standards in the admin: the whole governance workflow by hand.
Saving assigns through governance_app.actions (one audit row per change); ticking "propose
exception" proposes one; a *different* admin approves or rejects it with the list actions."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import actions
from ..actions.exceptions import validate_proposal
from ..choices import Decision, ExceptionStatus
from ..errors import GovernanceError, InvalidInput
from ..kinds import DQ, POLICY, AssignmentKind
from ..models import DQStandard, PolicyAssignment
from .base import GovernanceAdmin

EXCEPTION_FIELDS = ("exception_reason", "exception_expires_at", "review_due_at", "waiver_template")
REVIEW_READONLY = (
    "is_active",
    "exception_status",
    "exception_approved",
    "proposed_by",
    "proposed_at",
    "exception_reviewer",
    "exception_reviewed_at",
    "review_note",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)


class AssignmentForm(forms.ModelForm):
    propose_exception = forms.BooleanField(
        required=False,
        help_text="Propose (or renew) an exception with the fields below. Another governance admin must "
        "approve it; changing any of them on an approved exception sends it back for review.",
    )

    def clean(self):
        data = super().clean()
        if (
            not self.instance.pk
            and self.Meta.model.objects.active()
            .filter(scope=data.get("scope"), target_id=(data.get("target_id") or "").strip())
            .exists()
        ):
            raise forms.ValidationError(
                "This target already has an active assignment: edit that one instead."
            )
        touched = [f for f in EXCEPTION_FIELDS if f in self.changed_data]
        if touched and not data.get("propose_exception"):
            self.add_error("propose_exception", "Tick this to submit the exception fields for review.")
        if data.get("propose_exception"):
            try:
                validate_proposal(
                    data.get("exception_reason", ""),
                    data.get("exception_expires_at"),
                    data.get("review_due_at"),
                    timezone.now(),
                )
            except InvalidInput as err:
                field = {"reason": "exception_reason"}.get(err.details["field"], err.details["field"])
                self.add_error(field, err.message)
        return data


class AssignmentAdmin(GovernanceAdmin):
    """Policy assignments and DQ standards alike; subclasses name their kind (governance_app.kinds)."""

    form = AssignmentForm
    kind: AssignmentKind
    list_filter = ("scope", "is_active", "exception_status", "is_exception")
    search_fields = ("target_id", "reason", "proposed_by", "exception_reviewer", "exception_reason")
    actions = ("approve_exceptions", "reject_exceptions", "remove_assignments")
    readonly_fields = REVIEW_READONLY

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ("scope", "target_id", *self.kind.fields, "reason")}),
            ("Exception", {"fields": ("propose_exception", *EXCEPTION_FIELDS)}),
            ("Review and record", {"fields": REVIEW_READONLY}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return (*REVIEW_READONLY, "scope", "target_id") if obj else REVIEW_READONLY

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_active)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # removal deactivates (an audited action), it never deletes

    @admin.display(description="exception")
    def exception_state(self, obj) -> str:
        return obj.live_exception_status(timezone.now()) if obj.is_exception else "-"

    @admin.display(description="history")
    def history(self, obj) -> str:
        url = reverse(f"admin:governance_{self.kind.audit_model._meta.model_name}_changelist")
        query = urlencode(
            {"scope": obj.scope, "target_id": obj.target_id}
        )  # an id with & or # stays one value
        return format_html('<a href="{}?{}">history</a>', url, query)

    def assign(self, actor, obj, form):
        values = {f: form.cleaned_data.get(f) for f in self.kind.fields}
        return actions.assign(self.kind, obj.scope, obj.target_id, values, actor=actor, reason=obj.reason)

    def propose(self, actor, row, **kwargs):
        return actions.propose_exception(self.kind, row.scope, row.target_id, actor=actor, **kwargs)

    def review(self, actor, row, decision, *, reason):
        return actions.review_exception(
            self.kind, row.scope, row.target_id, decision, actor=actor, reason=reason
        )

    def remove(self, actor, row):
        return actions.remove(self.kind, row.scope, row.target_id, actor=actor, reason="Removed in the admin")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with transaction.atomic():
            row = self.assign(request.user, obj, form)
            if data.get("propose_exception"):
                row = self.propose(
                    request.user,
                    row,
                    reason=data["exception_reason"],
                    expires_at=data["exception_expires_at"],
                    review_due_at=data.get("review_due_at"),
                    waiver_template=data.get("waiver_template", ""),
                )
        obj.pk, obj._state.adding = row.pk, False

    @admin.action(description="Approve the selected proposed exceptions")
    def approve_exceptions(self, request, queryset):
        self._review(request, queryset, Decision.APPROVE)

    @admin.action(description="Reject the selected proposed exceptions")
    def reject_exceptions(self, request, queryset):
        self._review(request, queryset, Decision.REJECT)

    @admin.action(description="Remove the selected assignments (deactivate, recorded in the history)")
    def remove_assignments(self, request, queryset):
        done = 0
        for row in queryset.filter(is_active=True):
            self.remove(request.user, row)
            done += 1
        self.message_user(request, f"Removed {done} assignment(s).", messages.SUCCESS)

    def _review(self, request, queryset, decision: str) -> None:
        done = 0
        for row in queryset.filter(is_active=True, exception_status=ExceptionStatus.PROPOSED):
            try:
                self.review(request.user, row, decision, reason=f"{decision.capitalize()}d in the admin")
                done += 1
            except GovernanceError as err:
                self.message_user(request, f"{row}: {err.message}", messages.ERROR)
        verb = "Approved" if decision == Decision.APPROVE else "Rejected"
        self.message_user(
            request, f"{verb} {done} exception(s).", messages.SUCCESS if done else messages.WARNING
        )


@admin.register(PolicyAssignment)
class PolicyAssignmentAdmin(AssignmentAdmin):
    kind = POLICY
    list_display = (
        "scope",
        "target_id",
        "profile",
        "is_active",
        "exception_state",
        "proposed_by",
        "exception_reviewer",
        "exception_expires_at",
        "review_due_at",
        "updated_by",
        "updated_at",
        "history",
    )
    list_filter = ("scope", "profile", *AssignmentAdmin.list_filter[1:])


@admin.register(DQStandard)
class DQStandardAdmin(AssignmentAdmin):
    kind = DQ
    list_display = (
        "scope",
        "target_id",
        "runbook_required",
        "max_breach_ratio",
        "max_failures_7d",
        "is_active",
        "exception_state",
        "proposed_by",
        "exception_reviewer",
        "exception_expires_at",
        "updated_at",
        "history",
    )
