"""The contract between the alert outbox and a channel adapter."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class Transition:
    """Why a notification is sent; vendors with a lifecycle (PagerDuty, Opsgenie) map these to
    their own actions, the others render them as words."""

    TRIGGER = "trigger"  # a new alert incident opened
    UPDATE = "update"  # more occurrences or members on an open incident (sent sparingly)
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class Member:
    """Something the root cause hits: a downstream pipeline or dataset."""

    kind: str  # failed_run | sla_breach | stale_dataset | ...
    source: str
    name: str
    pipeline_id: str | None = None
    dataset: str | None = None


@dataclass(frozen=True)
class Message:
    fingerprint: str  # source:subject:kind; PagerDuty dedup_key, Opsgenie alias
    transition: str  # a Transition value
    idempotency_key: str  # one per (incident, transition, channel): receivers may dedupe on it
    kind: str  # failed_run | sla_breach | stale_dataset | cost_anomaly | smoke_failure
    severity: str  # critical | error | warning | info
    title: str  # one line, names the root cause
    summary: str  # a few sentences: what broke, what it hits, what to do
    source: str
    subject: str  # the pipeline, dataset or check the fingerprint names
    url: str  # the alert incident's page on the control tier
    opened_at: datetime
    last_seen_at: datetime
    count: int = 1
    team: str | None = None
    pipeline_id: str | None = None
    members: tuple[Member, ...] = field(default_factory=tuple)
    facts: dict[str, str] = field(default_factory=dict)  # short label -> value, shown as a list


@dataclass(frozen=True)
class Delivery:
    """What the receiver said: kept on the notification row (never a secret)."""

    status_code: int | None = None
    detail: str = ""
    payload: dict | None = None  # the body sent, for the recording channel and the Alerts page


class DeliveryError(Exception):
    """The receiver refused or could not be reached. retryable=False for a 4xx that will never
    succeed (bad routing key, revoked webhook); the outbox then stops retrying."""

    def __init__(self, detail: str, *, retryable: bool = True, status_code: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable
        self.status_code = status_code


class Channel(Protocol):
    name: str  # the operator's name for it, used by routing rules ("data-oncall-slack")
    kind: str  # slack | teams | email | pagerduty | opsgenie | webhook | recording

    def deliver(self, message: Message) -> Delivery: ...

    def describe(self) -> dict:
        """{"name", "kind", "target"} for diagnostics: the receiver's host at most, never a secret."""
        ...
