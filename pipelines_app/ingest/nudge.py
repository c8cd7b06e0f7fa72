"""Tell the control tier at once when a failed run is stored, so it evaluates alerts now rather
than at its next minute.

A receiver of `events_stored`: when a stored group holds a FAIL or ABORT run event, it asks a
background thread to POST to the control tier's `/api/aggregate/alerts/evaluate`
(CT_ALERT_NUDGE_URL, with CT_ALERT_NUDGE_TOKEN). The request that ingested never waits. Per
process, at most one nudge is in flight and at most one is sent per NUDGE_INTERVAL_S; failures
stored meanwhile are covered by one more nudge after it. A nudge that fails is only logged: the
control tier's minute schedule evaluates anyway."""

import logging
import threading
import time

import requests
from django.conf import settings

from .records import Event

log = logging.getLogger(__name__)
PATH = "/api/aggregate/alerts/evaluate"
HEADER = "X-Alert-Nudge-Token"
FAILED = ("FAILED", "ABORTED")
NUDGE_INTERVAL_S = 1.0


def has_failure(events) -> bool:
    return any(isinstance(e, Event) and e.run is not None and e.run.status in FAILED for e in events)


def target() -> str:
    base = settings.CT_ALERT_NUDGE_URL.rstrip("/")
    return base if base.endswith(PATH) else base + PATH


def post() -> None:
    try:
        resp = requests.post(
            target(),
            headers={HEADER: settings.CT_ALERT_NUDGE_TOKEN},
            json={"source": settings.CT_SOURCE_NAME, "reason": "run_failed"},
            timeout=settings.CT_ALERT_NUDGE_TIMEOUT_S,
        )
    except requests.RequestException as exc:  # the URL may hold credentials: name the error only
        log.warning("alert nudge not delivered: %s", type(exc).__name__)
        return
    if resp.status_code >= 300:
        log.warning("alert nudge refused: HTTP %s", resp.status_code)


class Nudger:
    """One background thread at a time sends; a request while it runs asks for one more send."""

    def __init__(self, send=post, interval_s: float = NUDGE_INTERVAL_S):
        self.send, self.interval_s = send, interval_s
        self._lock = threading.Lock()
        self._wanted = self._running = False
        self._last = float("-inf")

    def request(self) -> None:
        with self._lock:
            self._wanted = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name="alert-nudge", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
                self._wanted = False
            time.sleep(max(0.0, self._last + self.interval_s - time.monotonic()))
            try:
                self.send()
            except Exception:  # never let the thread die holding _running
                log.warning("alert nudge failed", exc_info=True)
            self._last = time.monotonic()


nudger = Nudger()


def on_events_stored(sender, events, **kwargs) -> None:
    if settings.CT_ALERT_NUDGE_URL and has_failure(events):
        nudger.request()
