"""A circuit breaker per source, shared by every request of the process.

Closed: calls go through. After `CT_SOURCE_BREAKER_THRESHOLD` consecutive failures it opens:
calls are answered at once as `circuit_open`, so a dead source stops costing its timeout.
After `CT_SOURCE_BREAKER_COOLDOWN_S` it lets one trial call through (half-open); success
closes it, failure opens it for another cool-down.
"""

import threading
import time

from django.conf import settings

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self.trial_in_flight = False

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial at a time."""
        with self._lock:
            if self.opened_at is None:
                return True
            if (
                time.monotonic() - self.opened_at >= settings.CT_SOURCE_BREAKER_COOLDOWN_S
                and not self.trial_in_flight
            ):
                self.trial_in_flight = True
                return True
            return False

    def record(self, success: bool) -> None:
        with self._lock:
            self.trial_in_flight = False
            if success:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.opened_at is not None or self.failures >= settings.CT_SOURCE_BREAKER_THRESHOLD:
                self.opened_at = time.monotonic()

    def release(self) -> None:
        """A call settled without saying anything about the source (it barely went out): end a
        trial, count nothing."""
        with self._lock:
            self.trial_in_flight = False

    def state(self) -> str:
        with self._lock:
            if self.opened_at is None:
                return CLOSED
            cooled = time.monotonic() - self.opened_at >= settings.CT_SOURCE_BREAKER_COOLDOWN_S
            return HALF_OPEN if cooled else OPEN


_breakers: dict[tuple[str, str], Breaker] = {}
_registry_lock = threading.Lock()


def breaker_for(name: str, url: str) -> Breaker:
    key = (name, url)
    with _registry_lock:
        if key not in _breakers:
            _breakers[key] = Breaker()
        return _breakers[key]


def states() -> dict[str, dict]:
    """{name: {state, consecutive_failures, url}} for diagnostics."""
    with _registry_lock:
        items = list(_breakers.items())
    return {
        name: {"url": url, "state": b.state(), "consecutive_failures": b.failures} for (name, url), b in items
    }


def reset() -> None:
    """Forget every breaker (tests; a configuration reload)."""
    with _registry_lock:
        _breakers.clear()
