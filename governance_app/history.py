"""The store as it was: replaying the audit trail gives the assignments active at any moment, so
trends work from the first day of history without snapshots having been stored."""

from collections.abc import Iterator
from datetime import datetime

from django.utils.dateparse import parse_datetime

from .models import DQAuditEvent, DQStandard, PolicyAssignment, PolicyAuditEvent
from .models.base import Assignment

REPLAYED = {PolicyAssignment: PolicyAuditEvent, DQStandard: DQAuditEvent}
STATE_FIELDS = ("scope", "target_id", "is_exception", "exception_status")
DQ_FIELDS = ("runbook_required", "max_breach_ratio", "max_failures_7d")


def _row(model: type[Assignment], value: dict) -> Assignment:
    fields = {k: value.get(k) for k in STATE_FIELDS}
    extra = ("profile",) if model is PolicyAssignment else DQ_FIELDS
    fields.update({k: value.get(k) for k in extra})
    expires = value.get("exception_expires_at")
    return model(**fields, exception_expires_at=parse_datetime(expires) if expires else None)


class Replay:
    """Walk forward through one model's audit trail: `advance(until)` applies every event before
    `until`; `rows()` are the assignments active at that moment (unsaved instances)."""

    def __init__(self, model: type[Assignment], until: datetime):
        self.model = model
        self.events: Iterator = iter(
            REPLAYED[model].objects.filter(changed_at__lt=until).order_by("changed_at", "id")
        )
        self.pending = next(self.events, None)
        self.state: dict[tuple[str, str], Assignment] = {}
        self.applied = 0

    def advance(self, until: datetime) -> int:
        """Apply the events before `until`; returns how many were applied in this step."""
        count = 0
        while self.pending is not None and self.pending.changed_at < until:
            event = self.pending
            key = (event.scope, event.target_id)
            if event.new_value is None:
                self.state.pop(key, None)
            else:
                self.state[key] = _row(self.model, event.new_value)
            count += 1
            self.pending = next(self.events, None)
        self.applied += count
        return count

    def rows(self) -> list[Assignment]:
        return list(self.state.values())
