"""A response cache for the source API's pure reads (CT_RESPONSE_CACHE_SECONDS; 0 turns it off).

Only GET answers of the routes named in CT_RESPONSE_CACHE_ROUTES are kept, and only 200s in JSON.
The key holds the route and its path and query string, the caller's visibility, the data versions
(CT_RESPONSE_CACHE_VERSIONS: each a function whose answer changes whenever the data behind the
answers does; the warehouse's and the governance store's) and a time bucket of the cache's
length. Every figure relative to now (last 24 hours, stale, overdue) is therefore at most that many
seconds old, while a change of data shows in the very next request.

The check runs after DRF's authentication, permissions and throttles (the view's own `initial`),
so a cached answer is only ever served to a caller the view would have answered, and is counted
like any other call. Answers carry a strong ETag (a hash of the body); `If-None-Match` gets a 304.
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

from .roles import highest_role

log = logging.getLogger(__name__)
CACHE_CONTROL = "private, no-cache"  # a person's answer; the browser revalidates it (ETag) each time
VARY = ("Authorization", "Cookie")
_KEPT_HEADERS = ("Deprecation", "Link", "Content-Type")  # the view's own headers a hit repeats


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


def data_version() -> str | None:
    """The versions joined, or None when one cannot be read (the answer is then not cached)."""
    try:
        return ":".join(import_string(path)() for path in settings.CT_RESPONSE_CACHE_VERSIONS)
    except Exception as exc:
        log.warning("response cache: data version unavailable (%s); serving uncached", exc)
        return None


def key_for(request, route: str) -> str | None:
    version = data_version()
    if version is None:
        return None
    seconds = settings.CT_RESPONSE_CACHE_SECONDS
    parts = (
        route,
        request.path,
        "&".join(sorted(f"{k}={v}" for k, values in request.query_params.lists() for v in values)),
        getattr(request, "accepted_media_type", ""),
        visibility(request),
        version,
        str(int(time.time() // seconds)),
    )
    return "response:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def _quietly(operation, *args):
    """A cache call that cannot take the API down: an unreachable cache is a miss."""
    try:
        return operation(*args)
    except Exception as exc:
        log.warning("response cache unavailable: %s", type(exc).__name__)
        return None


def _not_modified(request, etag: str) -> bool:
    wanted = {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}
    return etag in wanted or "*" in wanted


def _finish(request, response, etag: str):
    if _not_modified(request, etag):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, VARY)
    return response


class CachedRead:
    """Mixed into a read view (by ResponseCacheMiddleware): after DRF's checks, a kept answer."""

    response_cache_route = ""
    _hit = None
    _key = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._key = key_for(request, self.response_cache_route)
        self._hit = _quietly(cache.get, self._key) if self._key else None

    def get(self, request, *args, **kwargs):
        if self._hit is None:
            return super().get(request, *args, **kwargs)
        etag, content, headers = self._hit
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return _finish(request, response, etag)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._hit is not None or response.status_code != 200:
            return response
        if hasattr(response, "render"):
            response.render()
        if not response.get("Content-Type", "").startswith("application/json"):
            return response
        etag = etag_of(response.content)
        if self._key:
            headers = [(h, response[h]) for h in _KEPT_HEADERS if h in response]
            entry = (etag, response.content, headers)
            _quietly(cache.set, self._key, entry, settings.CT_RESPONSE_CACHE_SECONDS)
        return _finish(request, response, etag)


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
