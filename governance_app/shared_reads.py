"""The per-pipeline evaluations that policy, DQ, scorecard and posture answers all start from, computed
once per process for as long as the response cache may keep an answer (controltower/response_cache.py).

At 10k+ pipelines one evaluation (the SLA evidence over two windows, then every pipeline's policy and
DQ standards in Python) costs seconds, and the governance and policy pages ask for four answers built
on it at once. Each is kept under the same key as a cached answer: the data versions (a change of
telemetry or of the governance store shows in the very next request) and the time bucket of
CT_RESPONSE_CACHE_SECONDS (a figure relative to now is at most that old, as a cached answer is).
Callers that ask at the same moment wait for one computation. With the cache off (0, as in tests)
every call computes afresh. Callers must not change what they get back.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings

from controltower.response_cache import data_version

from . import dq, policies, runbooks, warehouse_reads

_lock = threading.Lock()
_kept: dict[str, tuple[tuple, Any]] = {}  # name -> (key, value): the newest only
_flights: dict[tuple, threading.Lock] = {}


def reuse(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, or its value kept under the current data versions and time bucket."""
    seconds = settings.CT_RESPONSE_CACHE_SECONDS
    version = data_version() if seconds > 0 else None
    if version is None:
        return compute()
    key = (name, version, int(time.time() // seconds))
    with _lock:
        kept = _kept.get(name)
        if kept and kept[0] == key:
            return kept[1]
        flight = _flights.setdefault(key, threading.Lock())
    with flight:  # one computation per key; the others wait for it
        with _lock:
            kept = _kept.get(name)
            if kept and kept[0] == key:
                return kept[1]
        value = compute()
        with _lock:
            _kept[name] = (key, value)
            _flights.pop(key, None)
        return value


def pipelines() -> list[dict]:
    """Active pipelines (warehouse_reads.pipelines)."""
    return reuse("pipelines", warehouse_reads.pipelines)


def evidence(now: datetime) -> tuple[list[dict], dict[str, dict]]:
    """(active pipelines, their run evidence): warehouse_reads.pipelines_with_evidence."""
    return reuse("evidence", lambda: (pipelines(), warehouse_reads.run_evidence(pipelines(), now)))


def runbook_entries() -> list[dict]:
    """Every active pipeline's runbook catalogue entry, unfiltered (runbooks.catalog_entries)."""
    return reuse("runbooks", lambda: runbooks.catalog_entries(pipelines()))


def dq_items(now: datetime) -> list[dict]:
    """Every pipeline's DQ evaluation (dq.evaluate_all)."""
    return reuse("dq", lambda: dq.evaluate_all(*evidence(now), now))


def policy_items(now: datetime) -> list[dict]:
    """Every pipeline's effective policy (policies.effective_policies)."""
    return reuse("policies", lambda: policies.effective_policies(*evidence(now), now))
