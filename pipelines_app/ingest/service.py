"""Ingest entry points the API calls: one event, or a batch with per-item results."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from functools import partial
from typing import Any

from django.utils import timezone

from pipelines_app.queries import now_naive
from pipelines_app.warehouse import WarehouseUnavailable, get_warehouse

from .applier import applier_for, busy
from .commit import GroupCommitter
from .fields import EventError
from .ownership import RunIdConflict
from .records import Event
from .signals import stored
from .store import write_events
from .validate import parse_event


def _write(events: Sequence[Event]) -> list[Exception | None]:
    """Store a group: on a single-writer warehouse keep it as received and apply it moments later
    (applier.py), elsewhere apply it now. Either way `events_stored` then moves the data version:
    every read after that sees the events (a read applies what is pending first)."""
    now = timezone.now().astimezone(UTC).replace(tzinfo=None)
    wh = get_warehouse()
    write = applier_for(wh).accept if wh.single_writer else partial(write_events, wh)
    with busy():  # what the receivers write need not wait for the events to be applied
        errors = write(events, now) or [None] * len(events)
        stored([event for event, error in zip(events, errors, strict=True) if error is None])
    return errors


committer = GroupCommitter(_write)


class NotStored(Exception):
    """A valid event the warehouse refused (logged with its cause)."""


@dataclass
class BatchResult:
    received: int
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"received": self.received, "accepted": self.accepted, "rejected": self.rejected}


def ingest_event(body: Any) -> dict:
    """Validate and store one event; EventError when invalid, RunIdConflict when its run id belongs to
    another job, WarehouseUnavailable / NotStored when it could not be written. Returns what the
    event refers to (kind, pipeline_id, run_id)."""
    event = parse_event(body)
    (error,) = committer.submit([event])
    if isinstance(error, WarehouseUnavailable | RunIdConflict):
        raise error
    if error is not None:
        raise NotStored(str(error)) from error
    return event.summary()


def ingest_batch(items: list) -> BatchResult:
    """Store the valid items, report the others by index; WarehouseUnavailable if nothing could be
    written because the warehouse is down."""
    result = BatchResult(received=len(items))
    valid: list[tuple[int, Event]] = []
    now = now_naive()
    for index, item in enumerate(items):
        try:
            valid.append((index, parse_event(item, now)))
        except EventError as exc:
            result.rejected.append(
                {"index": index, "field": exc.field, "code": "invalid_request", "message": exc.message}
            )
    errors = committer.submit([event for _, event in valid]) if valid else []
    if errors and all(isinstance(e, WarehouseUnavailable) for e in errors):
        raise errors[0]
    for (index, _), error in zip(valid, errors, strict=True):
        if error is None:
            result.accepted += 1
        elif isinstance(error, RunIdConflict):
            result.rejected.append(
                {
                    "index": index,
                    "field": "run.runId",
                    "code": error.code,
                    "message": str(error),
                    "details": error.details(),
                }
            )
        else:
            result.rejected.append(
                {
                    "index": index,
                    "field": None,
                    "code": "not_stored",
                    "message": "Valid, but could not be stored.",
                }
            )
    result.rejected.sort(key=lambda r: r["index"])
    return result
