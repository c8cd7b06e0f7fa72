"""The estate's governance evaluation at one moment, that policy, DQ, runbook, scorecard and posture
answers all start from, shared by the answers of one process while the response cache may keep them
(controltower/response_cache.py).

At 10k+ pipelines an evaluation (the SLA evidence over two windows, then every pipeline's policy and
DQ standards in Python) costs a second or more of CPU, and the governance and policy pages ask for
several answers built on it at once. An `Evaluation` is the estate as of one moment (`now`): each
part is computed on first use, from figures relative to that moment, and kept with it; callers that
ask for a part at the same time wait for one computation. Freshness is the response cache's rule:
an evaluation serves while it is younger than CT_RESPONSE_CACHE_SECONDS, under the data versions it
was made for (a change of telemetry or of the governance store shows in the very next request), and
an answer built on it is kept as if computed at the evaluation's moment (response_cache.computed_from),
so no figure is older than that. When one is used within REFRESH_AHEAD_S of its end (as a cached
answer is recomputed ahead), the next is made in the background with the parts used so far, and
requests meanwhile are answered from the current one. With the cache off (0, as in
tests) every call evaluates afresh. Callers must not change what they get back.
"""

import gc
import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connections
from django.utils import timezone

from controltower import response_cache
from controltower.response_cache import REFRESH_AHEAD_S, data_version

from . import dq, policies, runbooks, warehouse_reads

log = logging.getLogger(__name__)


class Evaluation:
    """The estate as of `now` under data `version`; parts computed once, on first use."""

    PARTS = ("evidence", "policy_items", "dq_items", "runbook_entries", "anomalies")

    def __init__(self, version: str | None, now: datetime | None = None):
        self.version = version
        self.now = now or timezone.now()
        self.at = self.now.timestamp()
        self._values: dict[str, object] = {}
        self._locks = {name: threading.Lock() for name in ("pipelines", *self.PARTS)}

    def _part(self, name: str, compute):
        if name in self._values:
            return self._values[name]
        with self._locks[name]:  # one computation; the others wait for it
            if name not in self._values:
                with _no_cycle_collection():
                    self._values[name] = compute()
            return self._values[name]

    def has(self, parts: list[str]) -> bool:
        return all(name in self._values for name in parts)

    def used(self) -> list[str]:
        return [name for name in self.PARTS if name in self._values]

    @property
    def pipelines(self) -> list[dict]:
        """Active pipelines (warehouse_reads.pipelines)."""
        return self._part("pipelines", warehouse_reads.pipelines)

    @property
    def evidence(self) -> dict[str, dict]:
        """Their run evidence as of `now` (warehouse_reads.run_evidence)."""
        return self._part("evidence", lambda: warehouse_reads.run_evidence(self.pipelines, self.now))

    @property
    def policy_items(self) -> list[dict]:
        """Every pipeline's effective policy (policies.effective_policies)."""
        return self._part(
            "policy_items", lambda: policies.effective_policies(self.pipelines, self.evidence, self.now)
        )

    @property
    def dq_items(self) -> list[dict]:
        """Every pipeline's DQ evaluation (dq.evaluate_all)."""
        return self._part("dq_items", lambda: dq.evaluate_all(self.pipelines, self.evidence, self.now))

    @property
    def runbook_entries(self) -> list[dict]:
        """Every active pipeline's runbook catalogue entry, unfiltered (runbooks.catalog_entries)."""
        return self._part("runbook_entries", lambda: runbooks.catalog_entries(self.pipelines))

    @property
    def anomalies(self) -> dict[str, int]:
        """Pipelines whose cost is an anomaly on the latest usage day (warehouse_reads)."""
        return self._part("anomalies", warehouse_reads.anomalous_pipelines)


@contextmanager
def _no_cycle_collection():
    """A part is tens of thousands of new dicts and lists, none in a cycle: the cyclic collector
    would scan the growing heap again and again while they are made (about half of the DQ
    evaluation's time at 10k pipelines). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_lock = threading.Lock()
_current: Evaluation | None = None
_next: Evaluation | None = None  # being made in the background


def evaluation() -> Evaluation:
    """The evaluation answers are built on now; the answer being computed is kept as if computed at
    its moment."""
    seconds = settings.CT_RESPONSE_CACHE_SECONDS
    version = data_version() if seconds > 0 else None
    if version is None:
        return Evaluation(None)
    global _current, _next
    with _lock:
        age = time.time() - _current.at if _current else None
        if _current is None or _current.version != version or age >= seconds:
            if _next is not None and _next.version == version and time.time() - _next.at < seconds:
                _current = _next  # the one being made: its parts' locks make callers wait for them
            else:
                _current = Evaluation(version)
            _next = None
        elif _next is not None and _next.version == version and _next.has(_current.used()):
            _current, _next = _next, None  # made ahead: answers built from now on are fresher
        elif age >= seconds - REFRESH_AHEAD_S and _next is None:
            _next = Evaluation(version)
            _begin(_next, _current.used())
        chosen = _current
    response_cache.computed_from(chosen.at)
    return chosen


def _begin(ahead: Evaluation, parts: list[str]) -> None:
    threading.Thread(target=_in_background, args=(ahead, parts), daemon=True).start()


def _in_background(ahead: Evaluation, parts: list[str]) -> None:
    try:
        _make(ahead, parts)
    finally:
        connections.close_all()  # this thread's own connections


def _make(ahead: Evaluation, parts: list[str]) -> None:
    """Compute the parts the current evaluation has used (a request that needs one still unmade
    waits for it, or computes it when this failed)."""
    global _next
    try:
        for name in parts:
            getattr(ahead, name)
    except Exception:
        log.exception("governance evaluation ahead of time failed")
        with _lock:
            if _next is ahead:
                _next = None
