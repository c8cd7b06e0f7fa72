"""Rows this process stored recently, by value, so a group can skip re-staging pipelines, datasets
and edges that a previous group already wrote unchanged (a job sends START, RUNNING and COMPLETE
with the same job and datasets; most groups then only touch PIPELINE_RUNS).

Entries live TTL_SECONDS and belong to one Warehouse instance (a new instance — tests, settings
changes — starts empty); a failed write forgets everything. If another process deletes a row
inside the window, the next event after the window writes it again."""

import threading
import time
import weakref
from collections.abc import Callable, Hashable

TTL_SECONDS = 60.0
MAX_ENTRIES = 100_000


class SeenRows:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._by_warehouse: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def unseen(self, warehouse, rows: list, key: Callable[[tuple], Hashable] = lambda row: row) -> list:
        """The rows not stored with these exact values within the TTL."""
        now = self.clock()
        with self._lock:
            seen = self._by_warehouse.get(warehouse, {})
            return [row for row in rows if seen.get(key(row), -1.0) + self.ttl <= now]

    def remember(self, warehouse, keys: list[Hashable]) -> None:
        now = self.clock()
        with self._lock:
            seen = self._by_warehouse.setdefault(warehouse, {})
            if len(seen) + len(keys) > MAX_ENTRIES:
                seen.clear()
            seen.update(dict.fromkeys(keys, now))

    def forget(self, warehouse) -> None:
        with self._lock:
            self._by_warehouse.pop(warehouse, None)
