"""Input validation for governance writes (a bad field is a 400 naming it, before anything is
written) and output shapes for the store's rows."""

from django.utils import timezone
from rest_framework import serializers

from controltower.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictDateTimeField,
    StrictFloatField,
    StrictIntegerField,
)

from ..choices import Decision, ExceptionStatus, Profile, RunbookState, Scope
from ..kinds import DQ, POLICY
from ..models import DQStandard, PolicyAssignment, RunbookGovernance

PROPOSABLE_STATUSES = [
    ExceptionStatus.NONE,
    ExceptionStatus.PROPOSED,
    ExceptionStatus.APPROVED,
    ExceptionStatus.REJECTED,
]


class TargetSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices)
    target_id = StrictCharField(max_length=200)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)


class ExceptionFieldsSerializer(TargetSerializer):
    """Exception fields accepted with an assignment: `is_exception: true` (or `exception_status:
    proposed`) proposes an exception; `exception_status: approved|rejected` reviews one (four eyes).
    `expired` is not accepted: the expiry job records it."""

    is_exception = StrictBooleanField(required=False)
    exception_status = serializers.ChoiceField(choices=ExceptionStatus.choices, required=False)
    exception_reason = StrictCharField(required=False, allow_blank=True, max_length=4000)
    exception_expires_at = StrictDateTimeField(required=False, allow_null=True)
    review_due_at = StrictDateTimeField(required=False, allow_null=True)
    waiver_template = StrictCharField(required=False, allow_blank=True, max_length=10000)

    def validate_exception_status(self, value: str) -> str:
        if value == ExceptionStatus.EXPIRED:
            raise serializers.ValidationError("cannot be set: the expiry job records expired exceptions.")
        return value

    # Set only by a review, by someone other than the proposer: never taken from an assignment body.
    REVIEW_FIELDS = ("exception_approved", "exception_reviewer", "exception_reviewed_at", "review_note")

    def validate(self, data):
        given = [f for f in self.REVIEW_FIELDS if f in self.initial_data]
        if given:
            raise serializers.ValidationError(
                {
                    field: "is set by the review, not by an assignment: another governance admin "
                    "approves or rejects a proposed exception with POST …/exceptions/review "
                    "(four eyes)."
                    for field in given
                }
            )
        status = data.get("exception_status")
        if data.get("is_exception") is False and status in (
            ExceptionStatus.PROPOSED,
            ExceptionStatus.APPROVED,
        ):
            raise serializers.ValidationError(
                {"is_exception": f"is false but exception_status is {status!r}."}
            )
        data["proposing"] = status == ExceptionStatus.PROPOSED or (
            data.get("is_exception") and status is None
        )
        if data["proposing"]:
            now = timezone.now()
            expires, due = data.get("exception_expires_at"), data.get("review_due_at")
            if expires is None:
                raise serializers.ValidationError(
                    {"exception_expires_at": "is required to propose an exception."}
                )
            if expires <= now:
                raise serializers.ValidationError({"exception_expires_at": "must be in the future."})
            if due is not None and not (now < due <= expires):
                raise serializers.ValidationError(
                    {"review_due_at": "must be in the future and not after expiry."}
                )
            if not (data.get("exception_reason") or data.get("reason")):
                raise serializers.ValidationError(
                    {"exception_reason": "is required to propose an exception."}
                )
        return data


class AssignSerializer(ExceptionFieldsSerializer):
    profile = serializers.ChoiceField(choices=Profile.choices)


class ReviewSerializer(TargetSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)


class DQUpsertSerializer(ExceptionFieldsSerializer):
    """Standards left out keep their value; `null` clears one (it is then inherited)."""

    runbook_required = StrictBooleanField(required=False, allow_null=True)
    max_breach_ratio = StrictFloatField(required=False, allow_null=True, min_value=0.0, max_value=1.0)
    # A bound a standard can mean (a run every few seconds for a week), inside every database's integer.
    max_failures_7d = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)

    def validate(self, data):
        data = super().validate(data)
        status = data.get("exception_status")
        if status in (ExceptionStatus.APPROVED, ExceptionStatus.REJECTED):
            raise serializers.ValidationError(
                {"exception_status": "review DQ exceptions with POST /api/dq/exceptions/review."}
            )
        return data


class RunbookUpsertSerializer(serializers.Serializer):
    pipeline_id = StrictCharField(max_length=200)
    state = serializers.ChoiceField(choices=RunbookState.choices, required=False)
    owner = StrictCharField(required=False, allow_blank=True, max_length=200)
    notes = StrictCharField(required=False, allow_blank=True, max_length=10000)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)


class RunbookRemoveSerializer(serializers.Serializer):
    pipeline_id = StrictCharField(max_length=200)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)


EXCEPTION_OUTPUT_FIELDS = [
    "is_exception",
    "exception_status",
    "exception_live_status",
    "exception_approved",
    "exception_reason",
    "proposed_by",
    "proposed_at",
    "exception_reviewer",
    "exception_reviewed_at",
    "review_note",
    "exception_expires_at",
    "review_due_at",
    "waiver_template",
]
ASSIGNMENT_OUTPUT_FIELDS = [
    "id",
    "scope",
    "target_id",
    "is_active",
    "reason",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
]


class AssignmentOutputMixin(serializers.ModelSerializer):
    exception_live_status = serializers.SerializerMethodField()

    def get_exception_live_status(self, obj) -> str:
        return obj.live_exception_status(timezone.now())


class PolicyAssignmentSerializer(AssignmentOutputMixin):
    class Meta:
        model = PolicyAssignment
        fields = [*ASSIGNMENT_OUTPUT_FIELDS, "profile", *EXCEPTION_OUTPUT_FIELDS]
        read_only_fields = fields


class DQStandardSerializer(AssignmentOutputMixin):
    class Meta:
        model = DQStandard
        fields = [
            *ASSIGNMENT_OUTPUT_FIELDS,
            "runbook_required",
            "max_breach_ratio",
            "max_failures_7d",
            *EXCEPTION_OUTPUT_FIELDS,
        ]
        read_only_fields = fields


# The answer of a write to each kind of assignment (governance_app.kinds).
ASSIGNMENT_SERIALIZERS = {POLICY.name: PolicyAssignmentSerializer, DQ.name: DQStandardSerializer}


class RunbookGovernanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunbookGovernance
        fields = ["id", "pipeline_id", "state", "owner", "notes", "updated_by", "created_at", "updated_at"]
        read_only_fields = fields


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    scope = serializers.CharField()
    target_id = serializers.CharField()
    changed_by = serializers.CharField()
    changed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    old_value = serializers.JSONField(allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    request_id = serializers.CharField(help_text="minted by the source that wrote the row")
    client_request_id = serializers.CharField(help_text="the caller's X-Request-ID (e.g. the control tier's)")
