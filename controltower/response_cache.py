"""A response cache for the source API's pure reads (CT_RESPONSE_CACHE_SECONDS; 0 turns it off).

Only GET answers of the routes named in CT_RESPONSE_CACHE_ROUTES are kept, and only 200s in JSON.
The key holds the route and its path and query string, the caller's visibility and the data versions
(CT_RESPONSE_CACHE_VERSIONS: each a function whose answer changes whenever the data behind the
answers does; the warehouse's and the governance store's), so a change of data shows in the very
next request. An answer is served for at most CT_RESPONSE_CACHE_SECONDS after it was computed, so
every figure relative to now (last 24 hours, stale, overdue) is at most that old. Under load it is
recomputed ahead of that by one request (REFRESH_AHEAD_S) while the others are still served, and
requests that find no answer while another thread computes it wait for that one: an expiry or an
ingest costs one computation, not one per waiting thread.

Two ways in, with the same checks:
- `HotReadMiddleware` (right inside the request id and metrics middleware) answers a hit for a
  plain API token (`Token`/`Bearer`, no scopes, no X-Acting-User, JSON) before Django's session,
  CSRF and auth middleware and DRF's view machinery: the token is looked up afresh (a revoked one
  fails at once), the view's permission is the default one (a login suffices to read), and the
  view's throttles count the call. Anything else — no hit, a refused token or throttle, a session,
  a service account — takes the full path below, which gives the error or computes the answer.
- `CachedRead`, mixed into the view by `ResponseCacheMiddleware`: after DRF's authentication,
  permissions and throttles (the view's own `initial`), a kept answer; else the view's.
A computed answer is kept by HotReadMiddleware with every header the inner middleware and DRF set,
so a hit replays exactly what a miss answered. Answers carry a strong ETag (a hash of the body);
`If-None-Match` gets a 304 with the same headers.
"""

import contextvars
import functools
import hashlib
import logging
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import tokens
from .roles import highest_role

log = logging.getLogger(__name__)
CACHE_CONTROL = "private, no-cache"  # a person's answer; the browser revalidates it (ETag) each time
VARY = ("Authorization", "Cookie")
REFRESH_AHEAD_S = 3.0  # a hit this close to its expiry recomputes it (one request, the others served)
JSON = "application/json"
_FAST_ACCEPT = frozenset(("*/*", JSON))  # DRF negotiates either (or no Accept) to plain JSON


def enabled() -> bool:
    return settings.CT_RESPONSE_CACHE_SECONDS > 0


def cache_is_shared() -> bool:
    """Whether every process sees the same Django cache (Redis), not a per-process one."""
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def shared_version(name: str) -> str:
    """A version kept in the shared cache (bumped by `bump_shared`); a lost one starts afresh."""
    key = f"data-version:{name}"
    value = cache.get(key)
    if value is None:
        cache.add(key, secrets.token_hex(8), timeout=None)
        value = cache.get(key)
    return value


def bump_shared(name: str) -> None:
    if cache_is_shared():
        cache.set(f"data-version:{name}", secrets.token_hex(8), timeout=None)


def visibility(request) -> str:
    """What decides what the caller may see: their role, a token's scopes, acting through a control
    tier. Answers are the same for every caller allowed to read today; the key still keeps roles
    apart, so an answer that starts to depend on one can never leak to another."""
    user = request.user
    if not (user and user.is_authenticated):
        return "public"
    scopes = "+".join(sorted(getattr(request.auth, "scope_set", ()) or ()))
    via = "service" if getattr(request, "service_account", None) else ""
    return f"{highest_role(user) or '-'}|{scopes}|{via}"


@functools.cache
def _version_functions(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def data_version() -> str | None:
    """The versions joined, or None when one cannot be read (the answer is then not cached)."""
    try:
        return ":".join(read() for read in _version_functions(tuple(settings.CT_RESPONSE_CACHE_VERSIONS)))
    except Exception as exc:
        log.warning("response cache: data version unavailable (%s); serving uncached", exc)
        return None


def key_of(route: str, path: str, query, media_type: str, seen_by: str) -> str | None:
    """`query`: (name, [values]) pairs. None when a data version cannot be read."""
    version = data_version()
    if version is None:
        return None
    params = "&".join(sorted(f"{k}={v}" for k, values in query for v in values))
    parts = (route, path, params, media_type, seen_by, version)
    return "response:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def key_for(request, route: str) -> str | None:
    """The key of a DRF request (after authentication and content negotiation)."""
    media_type = getattr(request, "accepted_media_type", "")
    return key_of(route, request.path, request.query_params.lists(), media_type, visibility(request))


# When the answer being computed (on this thread) was built from data evaluated earlier (a shared
# evaluation: governance_app/shared_reads.py), it is kept as if computed then: one freshness rule.
_inputs_at: contextvars.ContextVar[float | None] = contextvars.ContextVar("response_inputs_at", default=None)


def computed_from(at: float) -> None:
    """The answer being computed uses figures evaluated at `at` (epoch seconds)."""
    earliest = _inputs_at.get()
    _inputs_at.set(at if earliest is None else min(earliest, at))


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def _quietly(operation, *args):
    """A cache call that cannot take the API down: an unreachable cache is a miss."""
    try:
        return operation(*args)
    except Exception as exc:
        log.warning("response cache unavailable: %s", type(exc).__name__)
        return None


def _fresh(entry) -> bool:
    """An entry (etag, content, headers, computed_at) young enough to serve."""
    return entry is not None and time.time() - entry[3] < settings.CT_RESPONSE_CACHE_SECONDS


def _not_modified(request, etag: str) -> bool:
    wanted = request.META.get("HTTP_IF_NONE_MATCH")
    if not wanted:
        return False
    wanted = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return etag in wanted or "*" in wanted


def _revalidated(request, response, etag: str):
    """The response, or a 304 with its headers when the client holds this version."""
    if not _not_modified(request, etag):
        return response
    short = HttpResponseNotModified()
    for name, value in response.items():
        if name not in ("Content-Type", "Content-Length"):
            short[name] = value
    return short


# -- single flight: one computation of a key per process at a time. The computing thread holds the
# key's lock until its answer is kept (HotReadMiddleware, after the inner middleware), so a thread
# that waited finds it.
_computing: dict[str, threading.Lock] = {}
_computing_guard = threading.Lock()


def _wait_turn(key: str):
    """Hold the key's lock (None if another thread kept it past the timeout: compute anyway)."""
    with _computing_guard:
        lock = _computing.setdefault(key, threading.Lock())
    return lock if lock.acquire(timeout=60) else None


def _done(key: str, lock) -> None:
    with _computing_guard:
        if _computing.get(key) is lock:
            del _computing[key]
    lock.release()


def _end_turn(request) -> None:
    turn = request.__dict__.pop("response_cache_turn", None)
    if turn is not None:
        _done(*turn)


class CachedRead:
    """Mixed into a read view (by ResponseCacheMiddleware): after DRF's checks, a kept answer."""

    response_cache_route = ""
    _hit = None
    _key = None
    _started = 0.0

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if not getattr(request, "response_cache_outer", False):  # else released once kept
                _end_turn(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._started = time.time()
        _inputs_at.set(None)
        self._key = key_for(request, self.response_cache_route)
        if not self._key or getattr(request, "response_cache_refresh", False):
            return
        self._hit = _quietly(cache.get, self._key)
        if not _fresh(self._hit):  # wait for a thread computing it, then look again
            turn = _wait_turn(self._key)
            self._started = time.time()
            self._hit = _quietly(cache.get, self._key)
            if turn is not None and _fresh(self._hit):
                _done(self._key, turn)
            elif turn is not None:
                request._request.response_cache_turn = (self._key, turn)  # this thread computes it
        if not _fresh(self._hit):
            self._hit = None

    def get(self, request, *args, **kwargs):
        if self._hit is None:
            return super().get(request, *args, **kwargs)
        etag, content, headers, _ = self._hit
        response = HttpResponse(content, headers=dict(headers))
        response.response_cache_etag = etag
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._hit is not None or response.status_code != 200:
            return response
        if hasattr(response, "render"):
            response.render()
        if not response.get("Content-Type", "").startswith(JSON):
            return response
        response["ETag"] = response.response_cache_etag = etag_of(response.content)
        response["Cache-Control"] = CACHE_CONTROL
        patch_vary_headers(response, VARY)
        if self._key:  # kept by HotReadMiddleware, with the headers the middleware inside it add
            inputs_at = _inputs_at.get()
            started = self._started if inputs_at is None else min(self._started, inputs_at)
            response.response_cache_entry = (self._key, started)
        return response


_views: dict[tuple[type, str], object] = {}


def cached_view(view_func, route: str):
    """The DRF view behind `view_func` with CachedRead mixed in, as a view function (one per route)."""
    key = (view_func.cls, route)
    if key not in _views:
        attrs = {"response_cache_route": route}
        mixed = type(f"Cached{view_func.cls.__name__}", (CachedRead, view_func.cls), attrs)
        _views[key] = mixed.as_view(**getattr(view_func, "initkwargs", {}))
    return _views[key]


class ResponseCacheMiddleware:
    """Routes the allow-listed GETs through their view with CachedRead mixed in."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = frozenset(settings.CT_RESPONSE_CACHE_ROUTES)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not enabled():
            return None
        route = request.resolver_match.url_name if request.resolver_match else None
        if route not in self.routes or not hasattr(view_func, "cls"):
            return None
        return cached_view(view_func, route)(request, *view_args, **view_kwargs)


_plain_views: dict[type, bool] = {}


def _plain(view_cls) -> bool:
    """A view whose checks are DRF's defaults: token or session login, RolePermission, its throttles."""
    if view_cls not in _plain_views:
        _plain_views[view_cls] = (
            not getattr(view_cls, "public", False)
            and view_cls.authentication_classes == api_settings.DEFAULT_AUTHENTICATION_CLASSES
            and view_cls.permission_classes == api_settings.DEFAULT_PERMISSION_CLASSES
            and all(
                getattr(view_cls, name) is getattr(APIView, name)
                for name in ("initial", "get_authenticators", "get_permissions", "get_throttles")
            )
        )
    return _plain_views[view_cls]


class HotReadMiddleware:
    """Serves a kept answer to a plain token's GET before the rest of the stack (see the module's
    docstring); keeps what CachedRead computed; answers If-None-Match for both."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = frozenset(settings.CT_RESPONSE_CACHE_ROUTES)

    def __call__(self, request):
        if request.method == "GET" and enabled():
            try:
                served = self._hit(request)
            except DatabaseError:  # the full path answers an outage (503) in the API's error shape
                served = None
            if served is not None:
                return served
        request.response_cache_outer = True
        try:
            response = self.get_response(request)
            etag = getattr(response, "response_cache_etag", None)
            if etag is None:
                return response
            pending = getattr(response, "response_cache_entry", None)
            if pending and response.status_code == 200 and not response.cookies:
                key, started = pending
                entry = (etag, response.content, list(response.items()), started)
                _quietly(cache.set, key, entry, settings.CT_RESPONSE_CACHE_SECONDS)
            return _revalidated(request, response, etag)
        finally:
            _end_turn(request)

    def _hit(self, request):
        """The kept answer, or None: the full path then decides (and counts) everything itself."""
        meta = request.META
        keyword, _, secret = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
        if keyword.lower() not in ("token", "bearer") or "HTTP_X_ACTING_USER" in meta:
            return None
        if meta.get("HTTP_ACCEPT", "*/*") not in _FAST_ACCEPT or "format" in request.GET:
            return None
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
        view_cls = getattr(match.func, "cls", None)
        if match.url_name not in self.routes or view_cls is None or not _plain(view_cls):
            return None
        token = tokens.find(secret)  # read afresh: a revoked token or user stops at once
        if token is None or token.state != "active" or not token.user.is_active or token.scopes:
            return None  # the full path refuses it (401) or checks the scope (403)
        user = token.user
        seen_by = f"{highest_role(user) or '-'}||"
        key = key_of(match.url_name, request.path, request.GET.lists(), JSON, seen_by)
        entry = _quietly(cache.get, key) if key else None
        if not _fresh(entry):
            return None
        if time.time() - entry[3] > settings.CT_RESPONSE_CACHE_SECONDS - REFRESH_AHEAD_S:
            if _quietly(cache.add, key + ":refresh", 1, REFRESH_AHEAD_S):
                request.response_cache_refresh = True  # this request recomputes it
                return None
        request.user, request.auth, request.resolver_match = user, token, match
        view = view_cls(request=request, args=match.args, kwargs=match.kwargs)
        if not all([throttle().allow_request(request, view) for throttle in view_cls.throttle_classes]):
            return None  # the full path answers the 429 (each throttle counts a request once)
        etag, content, headers, _ = entry
        return _revalidated(request, HttpResponse(content, headers=dict(headers)), etag)
