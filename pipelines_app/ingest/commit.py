"""Group commit: concurrent requests' events are written together, one writer at a time.

DuckDB allows one writer per file and fails conflicting concurrent transactions, so the process
writes one group at a time. A request adds its events to the pending list; if no group is being
written it becomes the writer: it drains everything pending and writes it at once, so N concurrent
single-event requests cost about one write, not N. Those its group answers return at once (they do
not wait for the next group); the others wait for the write in progress and the next writer is one
of them. No background thread: the writer is always a request thread (its own cursor /
connection).

Under concurrency the writer first waits a moment (LINGER_S at most) until as many requests are
pending as were in flight when the previous group ended: the callers that group answered are on
their way back, and a group's fixed cost (its statements) dwarfs its per-event cost, so they
share this group instead of waiting a whole write for the next one. With 16 concurrent clients
groups hold ~10 events. A lone caller (one request in flight) never waits.

If a group fails for a reason other than the warehouse being unavailable, its events are retried
one by one, so one unstorable event never takes valid neighbours down with it.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence

from pipelines_app.warehouse import WarehouseUnavailable

from .records import Event

log = logging.getLogger(__name__)
# At most this long the writer waits for callers on their way back: about a group's own write under
# load on DuckDB (~8 ms); from 0 to 10 ms single-event throughput barely moves (ingest_bench).
LINGER_S = 0.010


class _Ticket:
    __slots__ = ("events", "errors")

    def __init__(self, events: Sequence[Event]):
        self.events = events
        self.errors: list[Exception | None] | None = None


class GroupCommitter:
    def __init__(self, writer: Callable[[Sequence[Event]], list[Exception | None] | None]):
        """`writer` stores a group atomically and returns one entry per event (None when stored, an
        exception when that event was refused), or None when all were stored; it raises when it
        stored nothing."""
        self._writer = writer
        self._pending: list[_Ticket] = []
        lock = threading.Lock()  # guards _pending, _writing, _expected
        self._arrived = threading.Condition(lock)  # notified on every arrival (the writer waits)
        self._written = threading.Condition(lock)  # notified when a group is written (callers wait)
        self._writing = False
        self._expected = 1  # callers seen at the last write's end: the concurrency to wait for
        self.linger_s = LINGER_S

    def submit(self, events: Sequence[Event]) -> list[Exception | None]:
        """Write `events`; one entry per event: None when stored, else the exception. The caller
        either is answered by the group another caller writes, or writes the next group itself
        (which always holds its own events); an answered caller returns at once, without waiting
        for the next group's write."""
        ticket = _Ticket(events)
        with self._arrived:
            self._pending.append(ticket)
            self._arrived.notify()
            while self._writing and ticket.errors is None:
                self._written.wait()
            if ticket.errors is not None:
                return ticket.errors
            self._writing = True
        group: list[_Ticket] = []
        try:
            group = self._gather()
            self._write_group(group)
        finally:
            with self._arrived:  # the callers just answered come back; those waiting stay
                self._writing = False
                self._expected = len(group) + len(self._pending)
                self._written.notify_all()
        return ticket.errors

    def _gather(self) -> list[_Ticket]:
        """Everything pending, once the requests in flight at the last write's end have arrived (or
        linger_s has passed)."""
        deadline = time.monotonic() + self.linger_s
        with self._arrived:
            while len(self._pending) < self._expected and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            group, self._pending = self._pending, []
        return group

    def _write_group(self, group: list[_Ticket]) -> None:
        events = [e for ticket in group for e in ticket.events]
        errors: list[Exception | None] = [RuntimeError("The event was not written.")] * len(events)
        try:
            errors = self._write(events)
        finally:
            offset = 0
            for ticket in group:
                ticket.errors = errors[offset : offset + len(ticket.events)]
                offset += len(ticket.events)

    def _write(self, events: list[Event]) -> list[Exception | None]:
        try:
            return self._writer(events) or [None] * len(events)
        except WarehouseUnavailable as exc:
            return [exc] * len(events)
        except Exception as exc:
            if len(events) == 1:
                log.exception("ingest: event for %s could not be stored", events[0].summary())
                return [exc]
            log.warning("ingest: group of %d events failed (%s); retrying one by one", len(events), exc)
        return [self._write([event])[0] for event in events]
