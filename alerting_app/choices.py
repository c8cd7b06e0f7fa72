"""The words of alerting: what an incident is about, where it stands, how a notification fares."""

from django.db import models


class Kind(models.TextChoices):
    FAILED_RUN = "failed_run", "Failed run"
    SLA_BREACH = "sla_breach", "SLA breach"
    STALE_DATASET = "stale_dataset", "Stale dataset"
    COST_ANOMALY = "cost_anomaly", "Cost anomaly"
    SMOKE_FAILURE = "smoke_failure", "Smoke failure"


class State(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


LIVE_STATES = (State.OPEN, State.ACKNOWLEDGED, State.SNOOZED)


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class Action(models.TextChoices):
    """What an audit event records."""

    OPENED = "opened", "Opened"
    ATTACHED = "attached", "Attached to a root cause"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SNOOZED = "snoozed", "Snoozed"
    SNOOZE_EXPIRED = "snooze_expired", "Snooze expired"
    RESOLVED = "resolved", "Resolved"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Gave up"
    NO_CHANNEL = "no_channel", "Channel not configured"
