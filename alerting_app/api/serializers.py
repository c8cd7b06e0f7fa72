"""The alert API's shapes: the list's query, incidents with their members, notifications and
history, and the bodies of acknowledge / snooze / resolve."""

from rest_framework import serializers as s

from controltower.api.query import ChoiceQuery, FlagQuery, IntegerQuery, PageQuery, TextQuery

from ..choices import DeliveryStatus, Kind, State
from ..models import AlertEvent, AlertIncident, Notification

LIVE = "live"
MAX_RECENT_HOURS = 24 * 30


class AlertQuery(PageQuery):
    state = ChoiceQuery([LIVE, *State.values], help_text="live (open, acknowledged or snoozed) or one state")
    kind = ChoiceQuery(Kind.values, help_text="what the alert is about")
    source = TextQuery(64, help_text="a source name (or control, for smoke)")
    team = TextQuery(help_text="exact team")
    pipeline_id = TextQuery(help_text="one pipeline's alerts")
    recent_hours = IntegerQuery(
        1,
        MAX_RECENT_HOURS,
        default=24,
        help_text="without `state`: live alerts plus those resolved this recently",
    )
    members = FlagQuery(help_text="true: grouped members are listed too (by default, only root causes)")


INCIDENT_FIELDS = (
    "id", "fingerprint", "kind", "source", "subject", "pipeline_id", "dataset", "team", "domain",
    "criticality", "severity", "title", "detail", "state", "count", "first_seen_at", "last_seen_at",
    "root_id", "acknowledged_at", "acknowledged_by", "snoozed_until", "snoozed_by", "snooze_reason",
    "resolved_at", "resolved_by", "resolve_reason",
)  # fmt: skip


class IncidentSerializer(s.ModelSerializer):
    root_id = s.IntegerField(allow_null=True)
    members_count = s.IntegerField(help_text="downstream alerts grouped under this root cause")

    class Meta:
        model = AlertIncident
        fields = (*INCIDENT_FIELDS, "members_count")


class IncidentPageSerializer(s.Serializer):
    items = IncidentSerializer(many=True)
    total = s.IntegerField()
    offset = s.IntegerField()
    limit = s.IntegerField()
    generated_at = s.DateTimeField()


class MemberSerializer(s.ModelSerializer):
    class Meta:
        model = AlertIncident
        fields = (
            "id",
            "kind",
            "source",
            "subject",
            "pipeline_id",
            "dataset",
            "state",
            "title",
            "last_seen_at",
        )


class NotificationSerializer(s.ModelSerializer):
    # Plain text in the schema: an enum here would rename the published StatusEnum components.
    status = s.CharField(help_text=" | ".join(DeliveryStatus.values))

    class Meta:
        model = Notification
        fields = (
            "id", "transition", "channel", "status", "attempts", "next_attempt_at",
            "delivered_at", "status_code", "last_error", "created_at",
        )  # fmt: skip


class EventSerializer(s.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ("action", "actor", "reason", "at", "request_id")


class IncidentDetailSerializer(IncidentSerializer):
    members = MemberSerializer(many=True)
    notifications = NotificationSerializer(many=True)
    events = EventSerializer(many=True)

    class Meta(IncidentSerializer.Meta):
        fields = (*IncidentSerializer.Meta.fields, "members", "notifications", "events")


class AcknowledgeSerializer(s.Serializer):
    reason = s.CharField(max_length=500, required=False, allow_blank=True, default="")


class SnoozeSerializer(s.Serializer):
    until = s.DateTimeField(help_text="when the alert wakes by itself (ISO 8601)")
    reason = s.CharField(max_length=500, help_text="why it may wait")


class ResolveSerializer(s.Serializer):
    reason = s.CharField(max_length=500, help_text="what fixed it")


class EvaluateAnswerSerializer(s.Serializer):
    outcome = s.ChoiceField(
        ["queued", "queued_after_window", "already_queued", "not_queued"],
        help_text="queued now; queued for the end of the debounce window; already queued; or not "
        "queued (the broker is down: the minute schedule evaluates anyway)",
    )
