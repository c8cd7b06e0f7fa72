"""Rows this process stored recently, so a group can skip re-staging pipelines, datasets and edges
that a previous group already wrote with the same values (a job sends START, RUNNING and COMPLETE
with the same job and datasets; most groups then only touch PIPELINE_RUNS).

The memory is one value per row identity (a pipeline id, a dataset id, an edge): a row is skipped
only if the last value stored for its identity covers it — is exactly this one, or (datasets, whose
update keeps set attributes and the newest time) has every attribute it sets and a time at least as
new — so "latest value wins" holds.
Entries live TTL_SECONDS and belong to one Warehouse instance (a new instance — tests, settings
changes — starts empty); a failed write forgets everything. If another process deletes a row
inside the window, the next event after the window writes it again."""

import operator
import threading
import time
import weakref
from collections.abc import Callable, Hashable

TTL_SECONDS = 60.0
MAX_ENTRIES = 100_000

Key = Callable[[tuple], Hashable]
Covers = Callable[[Hashable, Hashable], bool]  # (value stored, value staged): storing it changes nothing


def whole(row: tuple) -> tuple:
    return row


def first(row: tuple) -> Hashable:
    return row[0]


class SeenRows:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._by_warehouse: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def unseen(
        self, warehouse, rows: list, ident: Key = whole, value: Key = whole, covers: Covers = operator.eq
    ) -> list:
        """The rows whose identity was not stored within the TTL with a value that `covers` this
        row's (by default: this exact value)."""
        now = self.clock()
        with self._lock:
            seen = self._by_warehouse.get(warehouse, {})
            fresh = [seen.get(ident(row)) for row in rows]
            return [
                row for row, hit in zip(rows, fresh, strict=True)
                if hit is None or hit[1] + self.ttl <= now or not covers(hit[0], value(row))
            ]  # fmt: skip

    def all_stored(self, warehouse, rows: list, ident: Key = whole) -> bool:
        """Whether every row's identity was stored (with any value) within the TTL."""
        now = self.clock()
        with self._lock:
            seen = self._by_warehouse.get(warehouse, {})
            hits = [seen.get(ident(row)) for row in rows]
        return all(hit is not None and hit[1] + self.ttl > now for hit in hits)

    def remember(self, warehouse, rows: list, ident: Key = whole, value: Key = whole) -> None:
        now = self.clock()
        with self._lock:
            seen = self._by_warehouse.setdefault(warehouse, {})
            if len(seen) + len(rows) > MAX_ENTRIES:
                seen.clear()
            seen.update((ident(row), (value(row), now)) for row in rows)

    def forget(self, warehouse) -> None:
        with self._lock:
            self._by_warehouse.pop(warehouse, None)
