"""The pages' aggregate answers, kept and refreshed in the background (stale-while-revalidate).

At 10M runs a source recomputes some of the Overview's answers (summary, pipeline keys, SLA
breaches) for a second or more each time its own response cache expires, every
CT_RESPONSE_CACHE_SECONDS; a page that waited for them missed its second. So the pages (not the
aggregate API) keep each answer they read, per user role, path and parameters, in this process:

- younger than CT_PAGE_DATA_SECONDS: served as it is;
- older, up to CT_PAGE_DATA_MAX_AGE_S: served as it is while one background thread fetches it
  anew, so no page load waits for a source's recomputation;
- older still, or never read: fetched in the request (identical asks at once share one fetch).

Only an answer every selected source gave is kept (a degraded one is asked again next time), and
a form posted to the pages (a write) drops every kept answer. Each answer's `_meta.generated_at`
is when it was merged; the page shows the oldest as "Data as of". CT_PAGE_DATA_SECONDS=0 turns
keeping off.
"""

import contextvars
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)
# answers kept per process (an incidents window holds ~2,000 rows), least recently read dropped first
MAX_ENTRIES = 256
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ct-page-refresh")
_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()  # key -> (fetched_at, result)
_flights: dict[tuple, Future] = {}


def enabled() -> bool:
    return settings.CT_PAGE_DATA_SECONDS > 0


def read(key: tuple, fetch: Callable[[], object], keep: Callable[[object], bool]) -> object:
    """The answer for `key`: kept, or fetched by `fetch()` (and kept when `keep(answer)`)."""
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is not None:
        age = now - entry[0]
        if age < settings.CT_PAGE_DATA_SECONDS:
            return entry[1]
        if age < settings.CT_PAGE_DATA_MAX_AGE_S:
            _refresh(key, fetch, keep)
            return entry[1]
    return _fetch(key, fetch, keep, wait=True)


def forget_all() -> None:
    with _lock:
        _entries.clear()


def _refresh(key: tuple, fetch, keep) -> None:
    with _lock:
        if key in _flights:
            return
        _flights[key] = Future()
    _pool.submit(contextvars.copy_context().run, _background, key, fetch, keep)


def _background(key: tuple, fetch, keep) -> None:
    try:
        _fetch(key, fetch, keep, wait=False)
    except Exception:  # the kept answer stays; the next read past its age tries again
        log.exception("refreshing a page's answer failed")
    finally:
        connections.close_all()  # pool threads must not keep database connections


def _fetch(key: tuple, fetch, keep, wait: bool):
    """Fetch and keep; a caller that finds the same fetch under way (`wait`) takes its answer."""
    with _lock:
        flight = _flights.get(key)
        leader = flight is None or not wait  # the background refresher registered its own flight
        if flight is None:
            flight = _flights[key] = Future()
    if not leader:
        return flight.result()
    try:
        answer = fetch()
        if keep(answer):
            with _lock:
                now = time.monotonic()
                _entries[key] = (now, answer)
                _entries.move_to_end(key)
                for old in [
                    k for k, (at, _) in _entries.items() if now - at >= settings.CT_PAGE_DATA_MAX_AGE_S
                ]:
                    del _entries[old]  # never served again: not worth their memory
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        flight.set_result(answer)
        return answer
    except BaseException as exc:
        flight.set_exception(exc)
        raise
    finally:
        with _lock:
            if _flights.get(key) is flight:
                del _flights[key]
