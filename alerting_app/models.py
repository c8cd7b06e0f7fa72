"""Alert incidents kept by the control tier across sources, their audit trail, the notification
outbox and the routing rules that decide where notifications go."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import Action, DeliveryStatus, Kind, Severity, State


class AlertIncident(models.Model):
    """One condition on one subject (a pipeline, dataset or check) in one source, from its first
    occurrence until it clears. At most one live incident per fingerprint: a new occurrence
    counts on it. A member (root set) is a downstream symptom of its root's failure."""

    fingerprint = models.CharField(max_length=400, help_text="source:subject:kind")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=64)
    subject = models.CharField(max_length=300, help_text="The pipeline id, dataset or check.")
    pipeline_id = models.CharField(max_length=200, blank=True)
    dataset = models.CharField(max_length=300, blank=True)
    team = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    criticality = models.CharField(max_length=16, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    count = models.PositiveIntegerField(default=1, help_text="Occurrences (distinct runs, days, checks).")
    last_occurrence = models.CharField(max_length=200, blank=True, help_text="e.g. the failed run's id.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_by = models.CharField(max_length=150, blank=True)
    snooze_reason = models.CharField(max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolve_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["source", "pipeline_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=~Q(state="resolved"), name="alerting_one_live_incident"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state != State.RESOLVED


class AlertEvent(models.Model):
    """An append-only line of an incident's history: who did what, when and why (jobs write as
    `system:<task>`). Never updated or deleted."""

    incident = models.ForeignKey(AlertIncident, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.CharField(max_length=150)
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Alert events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Alert events are append-only.")


class Notification(models.Model):
    """The outbox: one row per (incident, transition, channel), written in the transaction that
    changed the incident. A worker claims it with a conditional UPDATE before delivering."""

    incident = models.ForeignKey(AlertIncident, on_delete=models.CASCADE, related_name="notifications")
    transition = models.CharField(max_length=12)
    channel = models.CharField(max_length=100)
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=40, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True, help_text="What was sent (never a secret).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["channel", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "transition", "channel"], name="alerting_one_notification_per_transition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition} of #{self.incident_id} to {self.channel} ({self.status})"


class RoutingRule(models.Model):
    """Where notifications go. A blank match field matches anything; every matching enabled rule
    adds its channels. When none matches, the pipeline's team is the route. Edits are kept in
    the rule's history (who, when, the values before)."""

    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    source = models.CharField(max_length=64, blank=True)
    team = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    criticality = models.CharField(max_length=16, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    channels = models.JSONField(default=list, help_text='Channel names, e.g. ["data-oncall-slack"].')
    quiet_start = models.TimeField(
        null=True, blank=True, help_text="UTC; notifications wait until quiet_end."
    )
    quiet_end = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    MATCH_FIELDS = ("source", "team", "domain", "criticality", "severity", "kind")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .routing import channel  # routing reads these models

        names = self.channels
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            raise ValidationError(
                {"channels": 'A list of one or more channel names, e.g. ["data-oncall-slack"].'}
            )
        unknown = [n for n in names if channel(n) is None]
        if unknown:
            raise ValidationError(
                {"channels": f"No channel is configured with the name {', '.join(unknown)}."}
            )
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": "Quiet hours need both a start and an end."})
