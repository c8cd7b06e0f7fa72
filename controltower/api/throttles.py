"""API throttles: a rate per caller over every call, and a rate per route class.

- `CallerThrottle`: scope `user` per person, `anon` per client address (CT_PUBLIC_READ reads). A
  control tier's service account is exempt: it calls for everyone, and each person is already
  counted on the control tier.
- `RouteClassThrottle`: the view's `throttle_scope` (a name, or None), by default `writes` for
  every POST/PUT/PATCH/DELETE; counted per person, the one a service account names in
  X-Acting-User included, so a person's writes count alike directly and through a control tier.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (CT_THROTTLE_*), read on each request. Counts
are fixed windows in Django's cache (one increment a request, whatever the rate); if the cache is
unreachable, requests pass rather than fail. A refused request is a 429 `throttled` whose details
name the scope (controltower/api/errors.py)."""

import logging
import math
import time

from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from controltower.clientip import client_ip

from .auth import acting_username, is_service_account

log = logging.getLogger(__name__)
WRITES = "writes"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """A rate as (requests, seconds): "30/min" -> (30, 60); "" -> None (no limit); else ValueError."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip()[:1])
    if not count.strip().isdigit() or seconds is None:
        raise ValueError(f"{rate!r} is not a rate: write N/s, N/min, N/hour or N/day.")
    return int(count), seconds


class FixedWindowThrottle(BaseThrottle):
    """Counts requests per (scope, ident) in the current window; refuses past the scope's rate."""

    wait_s = 0

    def scope_and_ident(self, request, view) -> tuple[str | None, str]:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        scope, ident = self.scope_and_ident(request, view)
        limit = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(scope) or "") if scope else None
        if limit is None:
            return True
        count, seconds = limit
        now = time.time()
        window = int(now // seconds)
        used = self._count_once(request, f"throttle:{scope}:{ident}:{seconds}:{window}", seconds)
        if used is None or used <= count:
            return True
        self.wait_s = max(1, math.ceil((window + 1) * seconds - now))
        refused = getattr(request, "throttled_by", None)
        if refused is None or refused[1] < self.wait_s:
            request.throttled_by = (scope, self.wait_s)  # the error names the longest wait's scope
        return False

    def _count_once(self, request, key: str, seconds: int) -> int | None:
        """A request is counted once per window key, however many times it is checked: the response
        cache's early path (controltower/response_cache.py) checks before DRF's view does when it
        hands a request on."""
        raw = getattr(request, "_request", request)  # DRF's Request or the Django one it wraps
        counted = raw.__dict__.setdefault("throttle_counted", {})
        if key not in counted:
            counted[key] = self._increment(key, seconds)
        return counted[key]

    @staticmethod
    def _increment(key: str, seconds: int) -> int | None:
        try:
            cache.add(key, 0, timeout=seconds + 1)
            try:
                return cache.incr(key)
            except ValueError:  # the window's key expired between add and incr
                cache.set(key, 1, timeout=seconds + 1)
                return 1
        except Exception as exc:  # an unreachable cache must not take the API down with it
            log.warning("throttle cache unavailable, request not counted: %s", type(exc).__name__)
            return None

    def wait(self) -> float:
        return self.wait_s


class CallerThrottle(FixedWindowThrottle):
    def scope_and_ident(self, request, view) -> tuple[str | None, str]:
        if not (request.user and request.user.is_authenticated):
            return "anon", f"ip:{client_ip(request)}"
        if getattr(request, "service_account", None) or is_service_account(request.user):
            return None, ""  # the control tier, for itself or for a person it has counted already
        return "user", request.user.get_username()


class RouteClassThrottle(FixedWindowThrottle):
    def scope_and_ident(self, request, view) -> tuple[str | None, str]:
        default = None if request.method in SAFE_METHODS else WRITES
        scope = getattr(view, "throttle_scope", default)
        if not scope:
            return None, ""
        person = acting_username(request)
        return scope, person or f"ip:{client_ip(request)}"
