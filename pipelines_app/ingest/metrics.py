"""Ingest in /metrics: events accepted (an `events_stored` receiver), events rejected (counted
from the ingest views' answers), and how far behind the newest stored event is."""

import time
from datetime import UTC

from django.http import HttpResponse

from controltower.observe.metrics import INGEST_EVENTS, INGEST_LAG, INGEST_NEWEST_EVENT


def on_events_stored(sender=None, events=(), **kwargs) -> None:
    INGEST_EVENTS.labels("accepted", "").inc(len(events))
    times = [e.raw.event_ts for e in events if e.raw is not None]
    if times:
        newest = max(times).replace(tzinfo=UTC).timestamp()  # eventTime is kept as naive UTC
        INGEST_LAG.set(max(0.0, time.time() - newest))
        INGEST_NEWEST_EVENT.set(newest)


def not_applied(events: int) -> None:
    """Accepted events that could not be applied (kept in LINEAGE_EVENTS; applier.py logs why)."""
    INGEST_EVENTS.labels("not_applied", "apply_failed").inc(events)


def count_rejections(response: HttpResponse) -> None:
    """A refused request refuses its event (reason: the error code); a batch names each refusal."""
    data = getattr(response, "data", None)
    data = data if isinstance(data, dict) else {}
    if 400 <= response.status_code < 500:
        code = (data.get("error") or {}).get("code") if isinstance(data.get("error"), dict) else None
        INGEST_EVENTS.labels("rejected", code or str(response.status_code)).inc()
    elif isinstance(data.get("rejected"), list):
        for item in data["rejected"]:
            INGEST_EVENTS.labels("rejected", item.get("code") or "invalid_request").inc()
