"""Evaluate now, because a source reported a failed run (pipelines_app/ingest/nudge.py), or an
operator asked. Debounced through the cache: the first request in a window queues an evaluation at
once, the next queues one more for the window's end (so failures stored meanwhile are seen), and
the rest find both queued. A storm of failures yields one or two evaluations, not one each. With
a per-process cache (the default without Redis) the window is per web process."""

import hmac
import logging
import math

from django.conf import settings
from django.core.cache import cache

from . import tasks

log = logging.getLogger(__name__)
NOW_KEY = "alerting:evaluate:now"
NEXT_KEY = "alerting:evaluate:next"
QUEUED, QUEUED_NEXT, ALREADY_QUEUED, NOT_QUEUED = (
    "queued",
    "queued_after_window",
    "already_queued",
    "not_queued",
)


def token_matches(given: str) -> bool:
    expected = settings.CT_ALERT_NUDGE_TOKEN
    return bool(expected and given) and hmac.compare_digest(given.encode(), expected.encode())


def request_evaluation() -> str:
    """What became of this request: queued now, queued for the window's end, or already queued."""
    window = max(1, math.ceil(settings.CT_ALERT_NUDGE_DEBOUNCE_S))
    if cache.add(NOW_KEY, 1, timeout=window):
        return _queue(QUEUED)
    if cache.add(NEXT_KEY, 1, timeout=window):
        return _queue(QUEUED_NEXT, countdown=window)
    return ALREADY_QUEUED


def _queue(outcome: str, countdown: int = 0) -> str:
    try:
        tasks.evaluate.apply_async(countdown=countdown or None)
    except Exception as exc:  # the minute schedule evaluates anyway
        log.warning("alert evaluation not queued (%s)", type(exc).__name__)
        return NOT_QUEUED
    return outcome
