"""Fan-out HTTP client: one call to many sources, concurrently, each bounded by its timeout.

Every source gets its own pooled `requests.Session` (cookies refused: the control tier speaks
with tokens only). A source's whole call, retries included, fits in `CT_SOURCE_TIMEOUT_S`;
idempotent GETs retry connection failures and 502/503/504 with jittered exponential backoff
(tenacity); writes are never retried. The caller's request id and acting user go along.
A source whose breaker is open is answered at once as `circuit_open`. A source is charged on its
breaker only for time it had: a call that waited in the control tier's own pool for most of its
budget (a busy control tier, not a slow source) still reads as a timeout in `_meta`, but does not
count towards opening the source's breaker.
"""

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import orjson
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_random_exponential

from controltower.middleware import current_request_id

from . import breaker, metrics
from .outcome import Outcome, classify, failure
from .sources import Source

log = logging.getLogger(__name__)
PAGE_MAX = 500  # the source API's largest accepted `limit` (controltower.api.query.MAX_LIMIT)
RETRYABLE_STATUS = (502, 503, 504)
_pool = ThreadPoolExecutor(max_workers=64, thread_name_prefix="ct-fanout")
_sessions: dict[tuple[str, str, str], requests.Session] = {}
_sessions_lock = threading.Lock()


@dataclass(frozen=True)
class Call:
    """What to ask every selected source. `window=(offset, limit)` collects items [0, offset+limit)
    of a paginated list (several pages if needed), so lists from many sources can be merged."""

    path: str
    method: str = "GET"
    params: dict = field(default_factory=dict)
    body: Any = None
    window: tuple[int, int] | None = None
    acting_user: str = ""


def session_for(source: Source) -> requests.Session:
    key = (source.name, source.url, source.token)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = requests.Session()
            session.mount("http://", HTTPAdapter(pool_connections=2, pool_maxsize=32, max_retries=0))
            session.mount("https://", HTTPAdapter(pool_connections=2, pool_maxsize=32, max_retries=0))
            _environment_once(session, source.url)
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            session.headers["Accept"] = "application/json"
            if source.token:
                session.headers["Authorization"] = f"Token {source.token}"
            _sessions[key] = session
        return session


def _environment_once(session: requests.Session, url: str) -> None:
    """The proxy and CA bundle the environment names for `url`, read once: with `trust_env` every
    call scanned the whole environment and stat'ed ~/.netrc and the bundle (~1 ms a call under
    load). A ~/.netrc is never read: its credentials would replace the source's token."""
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and url.startswith("https://"):
        session.verify = bundle


def _once(source: Source, call: Call, params: dict, headers: dict, deadline: float) -> Outcome:
    started = time.monotonic()
    remaining = deadline - started
    if remaining <= 0:
        return failure(source.name, "timeout", "no time left in the source's budget")
    try:
        response = session_for(source).request(
            call.method,
            source.url + call.path,
            params=params,
            data=_payload(call.body, source),
            headers=headers,
            timeout=(remaining, remaining),
        )
    except requests.Timeout:
        return failure(source.name, "timeout", f"no answer within {settings.CT_SOURCE_TIMEOUT_S:g}s")
    except requests.ConnectionError as exc:
        return failure(source.name, "connection_error", _short(exc))
    except requests.RequestException as exc:
        return failure(source.name, "connection_error", _short(exc))
    return classify(source.name, response)


def _payload(body: Any, source: Source) -> bytes | None:
    """The JSON body; a `source` field in it names the receiving source (the caller may have
    written `both`)."""
    if body is None:
        return None
    if isinstance(body, dict) and "source" in body:
        body = {**body, "source": source.name}
    try:
        return orjson.dumps(body)
    except TypeError:  # what JSON allows but orjson refuses (integers past 64 bits, lone surrogates)
        return json.dumps(body).encode()


def _short(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    return f"{type(exc).__name__}: {text[:160]}"


def _transient(outcome: Outcome) -> bool:
    return outcome.kind == "connection_error" or outcome.status in RETRYABLE_STATUS


def _with_retries(source: Source, call: Call, params: dict, headers: dict, deadline: float) -> Outcome:
    if call.method not in ("GET", "HEAD") or settings.CT_SOURCE_RETRIES <= 0:
        return _once(source, call, params, headers, deadline)
    jitter = wait_random_exponential(multiplier=0.05, max=0.5)
    retrying = Retrying(
        stop=stop_after_attempt(1 + settings.CT_SOURCE_RETRIES),
        # never sleep past the budget: the last attempt must still have time to answer
        wait=lambda state: max(0.0, min(jitter(state), deadline - time.monotonic() - 0.05)),
        retry=retry_if_result(lambda o: _transient(o) and deadline - time.monotonic() > 0.1),
        retry_error_callback=lambda state: state.outcome.result(),
        reraise=True,
    )
    return retrying(_once, source, call, params, headers, deadline)


def _windowed(source: Source, call: Call, headers: dict, deadline: float) -> Outcome:
    """Items [0, offset+limit) of a paginated list, in pages of at most PAGE_MAX."""
    offset, limit = call.window
    need, items, first = offset + limit, [], None
    while True:
        params = {**call.params, "offset": len(items), "limit": min(PAGE_MAX, need - len(items))}
        page = _with_retries(source, call, params, headers, deadline)
        if not page.ok or not isinstance(page.data, dict) or not isinstance(page.data.get("items"), list):
            return page
        first = first or page
        items += page.data["items"]
        total = page.data.get("total", len(items))
        if len(items) >= need or not page.data["items"] or len(items) >= total:
            break
    first.data = {**first.data, "items": items, "total": total, "complete": len(items) >= total}
    return first


def _job(source: Source, call: Call, headers: dict, deadline: float) -> Outcome:
    started = time.monotonic()
    try:
        if call.window:
            outcome = _windowed(source, call, headers, deadline)
        else:
            outcome = _with_retries(source, call, call.params, headers, deadline)
    except Exception as exc:  # a bug here must not cost the caller the whole budget
        log.exception("fan-out to %s failed", source.name)
        outcome = failure(source.name, "client_error", f"{type(exc).__name__} in the control tier")
    outcome.latency_ms = round((time.monotonic() - started) * 1000, 1)
    return outcome


class _Settlement:
    """Whoever settles first (the worker, or the fan-out at the deadline) records the outcome
    once on the breaker; a late worker result is dropped. A timeout is charged to the source only
    when its call went out with at least half of the budget left: time spent waiting for a free
    fan-out thread is the control tier's, and must not open a healthy source's breaker."""

    def __init__(self, brk: breaker.Breaker, deadline: float, budget: float) -> None:
        self._lock, self._breaker, self.outcome = threading.Lock(), brk, None
        self._deadline, self._budget, self.went_out = deadline, budget, None

    def run(self, source: Source, call: Call, headers: dict) -> None:
        self.went_out = time.monotonic()
        self.offer(_job(source, call, headers, self._deadline))

    def _fair(self) -> bool:
        return self.went_out is not None and self._deadline - self.went_out >= self._budget / 2

    def offer(self, outcome: Outcome) -> None:
        with self._lock:
            if self.outcome is not None:
                return
            self.outcome = outcome
        if outcome.kind == "timeout" and not self._fair():
            waited = (self.went_out or time.monotonic()) - (self._deadline - self._budget)
            outcome.reason += f" (the call waited {waited:.1f}s for a free fan-out thread here)"
            self._breaker.release()
        else:
            self._breaker.record(not outcome.breaker_failure)


def _headers(call: Call) -> dict:
    headers = {"X-Request-ID": current_request_id.get() or ""}
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    if call.acting_user:
        headers["X-Acting-User"] = call.acting_user
    return {k: v for k, v in headers.items() if v}


def fetch(sources: list[Source], call: Call) -> dict[str, Outcome]:
    """Ask every source concurrently; {name: Outcome} in the sources' order. Never raises for a
    source's failure, and returns within CT_SOURCE_TIMEOUT_S (plus scheduling slack)."""
    return fetch_each({source: call for source in sources})


def fetch_each(calls: dict[Source, Call]) -> dict[str, Outcome]:
    """fetch() with a call of its own for each source (e.g. each source's own ids), all at once."""
    budget = settings.CT_SOURCE_TIMEOUT_S
    deadline = time.monotonic() + budget
    settlements: dict[str, _Settlement] = {}
    futures = []
    for source, call in calls.items():
        brk = breaker.breaker_for(source.name, source.url)
        if not brk.allow():
            continue
        settle = settlements[source.name] = _Settlement(brk, deadline, budget)
        headers = _headers(call)  # read the request id here: worker threads do not see the ContextVar
        futures.append(_pool.submit(settle.run, source, call, headers))
    if futures:
        wait(futures, timeout=max(0.0, deadline - time.monotonic()) + 0.05)
    results = {}
    for source in calls:
        settle = settlements.get(source.name)
        if settle is None:
            results[source.name] = failure(
                source.name, "circuit_open", "breaker open after repeated failures"
            )
            continue
        settle.offer(
            failure(source.name, "timeout", f"no answer within {budget:g}s", latency_ms=budget * 1000)
        )
        results[source.name] = settle.outcome
    metrics.observe(list(calls), results)
    return results
