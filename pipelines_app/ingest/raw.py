"""Retention of the events as received (LINEAGE_EVENTS): rows older than
CT_LINEAGE_EVENTS_RETENTION_DAYS (default 30; 0 keeps them forever) are deleted by the ingest
writer itself, at most once an hour per process, after a group commits — the source API is the
process that writes the warehouse (in embedded mode the only one that may open it), so no other
job is needed. `manage.py purge_lineage_events` does the same on demand."""

import logging
import threading
import time
import weakref
from datetime import datetime, timedelta

from django.conf import settings

from pipelines_app.warehouse import Warehouse
from pipelines_app.warehouse.base import table_ddl

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0
PURGE = "DELETE FROM LINEAGE_EVENTS WHERE received_ts < ?"

_last_purge: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_created: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def ensure_table(wh: Warehouse) -> None:
    """Create LINEAGE_EVENTS if a warehouse set up by an earlier version lacks it (once per
    warehouse and process; `manage.py warehouse_init` does the same), so an upgrade does not stop
    ingest until someone runs it."""
    if wh in _created:
        return
    wh.execute(table_ddl("LINEAGE_EVENTS"))
    with _lock:
        _created.add(wh)


def retention_days() -> int:
    return max(0, int(settings.CT_LINEAGE_EVENTS_RETENTION_DAYS))


def purge(wh: Warehouse, now: datetime) -> datetime | None:
    """Delete the events received before the retention window; the cutoff, or None when kept forever."""
    days = retention_days()
    if not days:
        return None
    cutoff = now - timedelta(days=days)
    wh.execute(PURGE, [cutoff])
    return cutoff


def purge_now_and_then(wh: Warehouse, now: datetime, clock=time.monotonic) -> None:
    """purge() when this process has not purged `wh` within the hour; a failure is logged, never
    raised (the events are stored: retention waits for the next time)."""
    with _lock:
        last, now_s = _last_purge.get(wh), clock()
        if last is not None and now_s - last < PURGE_EVERY_SECONDS:
            return
        _last_purge[wh] = now_s
    try:
        purge(wh, now)
    except Exception as exc:
        log.warning("ingest: purging LINEAGE_EVENTS failed: %s", exc)
