"""The fan-out in /metrics: each source's calls by outcome, their time, and whether its breaker
is open (controltower/observe/metrics.py declares the series)."""

from controltower.observe.metrics import FANOUT_BREAKER_OPEN, FANOUT_CALLS, FANOUT_DURATION

from . import breaker
from .outcome import Outcome
from .sources import Source


def observe(sources: list[Source], results: dict[str, Outcome]) -> None:
    for source in sources:
        outcome = results[source.name]
        FANOUT_CALLS.labels(source.name, outcome.kind).inc()
        if outcome.kind != "circuit_open":  # answered at once, without a call
            FANOUT_DURATION.labels(source.name).observe(outcome.latency_ms / 1000)
        state = breaker.breaker_for(source.name, source.url).state()
        FANOUT_BREAKER_OPEN.labels(source.name).set(0 if state == breaker.CLOSED else 1)
