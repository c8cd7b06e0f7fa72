"""Accept now, apply moments later: ingest on a single-writer warehouse (DuckDB).

A group of events costs a dozen statements to apply (store.write_events) whatever its size, so
applying each request's few events as they come caps single-event ingest at ~200 events/s. Here a
request only keeps its events as received (LINEAGE_EVENTS: one lookup of their run ids and one
INSERT per group commit), refusing those whose run id another job owns (the same 409 as before);
the answer is then given,
and the events are applied in large groups:

- by a background thread, once the oldest pending event is APPLY_AFTER_S old or APPLY_AT are
  pending;
- before any statement of any other thread on the warehouse (`Warehouse.catch_up`): a read always
  sees every event accepted before it, so no answer, page or cache differs from applying at once
  (the data version changes when an event is accepted, see service.py);
- by the accepting request itself when MAX_PENDING are pending (memory stays bounded);
- when the warehouse is closed and when the process exits.

Durability is LINEAGE_EVENTS itself: each group applied moves LINEAGE_EVENTS_APPLIED.applied_through
(the received_ts of its last event) in the same transaction, and a process that opens the warehouse
first applies the events received after it (a process killed between answering and applying).
received_ts is strictly increasing within the process, so that mark splits applied from pending.

An event that cannot be applied even on its own (the group is retried one by one) is logged and
counted, and stays in LINEAGE_EVENTS; the warehouse being unavailable leaves the events pending.
"""

import atexit
import functools
import logging
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import orjson

from pipelines_app import data_version
from pipelines_app.warehouse import Warehouse, WarehouseUnavailable

from . import ownership, store
from .fields import EventError
from .metrics import not_applied
from .ownership import RunIdConflict
from .records import Event

log = logging.getLogger(__name__)

APPLY_AFTER_S = 0.5
APPLY_AT = 2_000
MAX_PENDING = 20_000
APPLY_CHUNK = 5_000  # events per transaction when much is pending
IDLE_S = 5.0  # the thread ends after this long with nothing pending (started again on demand)
_local = threading.local()  # .busy: this thread is accepting or applying (no catch_up inside)


class Applier:
    """The pending events of one warehouse and what applies them."""

    def __init__(self, wh: Warehouse):
        self._wh = weakref.ref(wh)
        self._pending: list[tuple[Event, datetime]] = []
        self._owners: dict[str, tuple] = {}  # run id -> (pipeline id, namespace, job) of pending runs
        self._cond = threading.Condition()  # guards _pending, _owners, _since, _thread
        self._since = 0.0  # monotonic time the oldest pending event arrived
        self._accepted = self._applied = 0  # events ever queued / applied (or given up)
        self._thread: threading.Thread | None = None
        self._apply_lock = threading.Lock()
        self._last_received: datetime | None = None
        self._recovered = False

    # -- accepting ------------------------------------------------------------------------------
    def accept(self, events: Sequence[Event], now: datetime) -> list[Exception | None]:
        """Keep `events` as received and queue them, except those whose run id another job owns
        (pending or stored): one entry per event, None when accepted, RunIdConflict when refused.
        Raises when nothing could be kept."""
        wh = self._warehouse()
        with busy():
            self._recover(wh)
            pending = self._pending_owners(events)
            refused = ownership.conflicts_in_group(wh, events, pending)
            refused.update(self._owned_elsewhere(wh, events, refused, pending))
            kept = [event for i, event in enumerate(events) if i not in refused]
            received = self._next_received(now)
            rows = store.raw_rows(wh, kept, received)
            if rows:
                store.append_events(wh, rows)
                data_version.stamp(wh, row=False)  # the events_stored receiver's bump follows it
        with self._cond:
            if not self._pending:
                self._since = time.monotonic()
            self._pending += [(event, received) for event in kept]
            self._accepted += len(kept)
            self._owners.update(
                (e.run.run_id, (e.pipeline.pipeline_id, e.pipeline.namespace, e.pipeline.name))
                for e in kept
                if e.run is not None and e.pipeline is not None
            )
            self._start_thread()
            self._cond.notify()
            too_many = len(self._pending) >= MAX_PENDING
        if too_many:
            self.apply()
        return [refused.get(i) for i in range(len(events))]

    def _pending_owners(self, events: Sequence[Event]) -> dict[str, RunIdConflict]:
        """The owners of the events' run ids that are pending (accepted, not yet applied)."""
        with self._cond:
            owners = {e.run.run_id: self._owners.get(e.run.run_id) for e in events if e.run is not None}
        return {run_id: RunIdConflict(run_id, *owner) for run_id, owner in owners.items() if owner}

    def _owned_elsewhere(
        self,
        wh: Warehouse,
        events: Sequence[Event],
        refused: dict[int, RunIdConflict],
        pending: dict[str, RunIdConflict],
    ) -> dict[int, RunIdConflict]:
        """Events not yet refused whose run id is pending or stored under another pipeline (one query
        for the run ids not pending)."""
        candidates = {i: e for i, e in enumerate(events) if i not in refused and e.run is not None}
        stored = ownership.stored_pipelines(
            wh, sorted({e.run.run_id for e in candidates.values()} - set(pending))
        )
        elsewhere = {
            e.run.run_id
            for e in candidates.values()
            if stored.get(e.run.run_id, e.pipeline.pipeline_id) != e.pipeline.pipeline_id
        }
        owners = {**pending, **ownership.stored_owners(wh, sorted(elsewhere))}  # names: conflicts only
        return {
            i: owners[e.run.run_id]
            for i, e in candidates.items()
            if e.run.run_id in owners and owners[e.run.run_id].owner["pipeline_id"] != e.pipeline.pipeline_id
        }

    def _next_received(self, now: datetime) -> datetime:
        """`now`, or just after the last group's when the clock has not moved on (the mark that
        separates applied from pending needs strictly increasing times)."""
        last = self._last_received
        received = now if last is None or now > last else last + timedelta(microseconds=1)
        self._last_received = received
        return received

    # -- applying -------------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Before a statement on the warehouse: apply what is pending (unless this thread is the one
        accepting or applying)."""
        if getattr(_local, "busy", False):
            return
        if not self._recovered:
            with busy():
                self._recover(self._warehouse())
        if self._pending:
            self.apply()

    def apply(self) -> None:
        """Apply the events pending now, in chunks of APPLY_CHUNK, one transaction each (those
        accepted meanwhile wait for the next call)."""
        with self._cond:
            target = self._accepted
        with self._apply_lock, busy():
            wh = self._warehouse()
            while self._applied < target:
                with self._cond:
                    group = self._pending[: min(APPLY_CHUNK, target - self._applied)]
                self._apply_group(wh, group)
                with self._cond:
                    del self._pending[: len(group)]
                    self._applied += len(group)
                    for event, _ in group:
                        if event.run is not None:  # stored now: the stored owner answers for it
                            self._owners.pop(event.run.run_id, None)
                    if self._pending:
                        self._since = time.monotonic()

    def _apply_group(self, wh: Warehouse, group: list[tuple[Event, datetime]]) -> None:
        """Write `group`; on WarehouseUnavailable nothing is written and it raises (the events stay
        pending); any other failure retries the events one by one and drops those that fail alone."""
        events, through = [e for e, _ in group], group[-1][1]
        try:
            store.write_events(wh, events, _naive_now(), applied_through=through)
            return
        except WarehouseUnavailable:
            raise
        except Exception as exc:
            if len(group) == 1:
                log.exception("ingest: accepted event for %s could not be applied", events[0].summary())
                not_applied(1)
                store.mark_applied(wh, through)
                return
            log.warning("ingest: applying %d accepted events failed (%s); one by one", len(group), exc)
        for item in group:
            self._apply_group(wh, [item])

    def _recover(self, wh: Warehouse) -> None:
        """Once per process and warehouse: apply the events received after the mark (kept by a
        process that stopped before applying them)."""
        if self._recovered:
            return
        with self._apply_lock:
            if self._recovered:
                return
            rows = store.unapplied_rows(wh)
            if rows:
                left = _parsed(rows)
                log.warning("ingest: applying %d events accepted before a restart", len(left))
                for i in range(0, len(left), APPLY_CHUNK):
                    self._apply_group(wh, left[i : i + APPLY_CHUNK])
                self._last_received = rows[-1]["received_ts"]
                store.mark_applied(wh, self._last_received)  # past any that no longer parse
            self._recovered = True

    # -- the background thread ------------------------------------------------------------------
    def _start_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ingest-applier", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    if not self._cond.wait(IDLE_S) and not self._pending:
                        self._thread = None
                        return
                while len(self._pending) < APPLY_AT:
                    left = self._since + APPLY_AFTER_S - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
            try:
                self.apply()
            except Exception as exc:  # unavailable: the events stay pending; try again in a moment
                log.warning("ingest: applying accepted events failed: %s", exc)
                time.sleep(APPLY_AFTER_S)

    def _warehouse(self) -> Warehouse:
        wh = self._wh()
        if wh is None:
            raise WarehouseUnavailable("The warehouse was closed.")
        return wh

    @property
    def pending(self) -> int:
        return len(self._pending)


@contextmanager
def busy() -> Iterator[None]:
    """Marks this thread as accepting or applying for the block (reentrant): its statements do not
    wait for pending events to be applied."""
    was = getattr(_local, "busy", False)
    _local.busy = True
    try:
        yield
    finally:
        _local.busy = was


def _parsed(rows: list[dict]) -> list[tuple[Event, datetime]]:
    """The events as received, parsed again as they were on receipt; one that no longer parses (kept
    by another version, or written there by hand) is logged, counted and left as it is."""
    from .validate import parse_event

    parsed = []
    for row in rows:
        try:
            parsed.append(
                (parse_event(orjson.loads(row["event"]), now=row["received_ts"]), row["received_ts"])
            )
        except (EventError, orjson.JSONDecodeError) as exc:
            log.error(
                "ingest: event %s received %s cannot be applied: %s", row["event_id"], row["received_ts"], exc
            )
            not_applied(1)
    return parsed


def _naive_now() -> datetime:
    from pipelines_app.queries import now_naive

    return now_naive()


_appliers: "weakref.WeakKeyDictionary[Warehouse, Applier]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def applier_for(wh: Warehouse) -> Applier:
    """The warehouse's applier, made (and hooked into its statements and close) on first use."""
    applier = _appliers.get(wh)
    if applier is None:
        with _lock:
            applier = _appliers.get(wh)
            if applier is None:
                _register_exit_once()
                applier = _appliers[wh] = Applier(wh)
                wh.catch_up = applier.catch_up
    return applier


def attach(wh: Warehouse) -> None:
    """On opening a single-writer warehouse: apply what an earlier process accepted but did not."""
    if wh.single_writer:
        applier_for(wh)


@functools.cache
def _register_exit_once() -> None:
    """Registered once the warehouse's driver has registered its own exit handlers (it is imported by
    then), so this one runs first, while the driver still works."""
    atexit.register(_apply_all_pending)


def _apply_all_pending() -> None:
    for applier in list(_appliers.values()):
        try:
            applier.apply()
        except Exception as exc:
            log.error(
                "ingest: %d accepted events not applied at exit (applied on the next start): %s",
                applier.pending,
                exc,
            )
