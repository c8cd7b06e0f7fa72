"""In-process calls to the aggregate API for the pages: the same route table, parameter checks,
role checks and `_meta` as an HTTP client gets, without a second HTTP hop.

    api = Gateway(request)
    result = api.get("/api/aggregate/summary", source="both")      # Result(ok, status, body, meta, error)
    results = api.get_many({"summary": ("/api/aggregate/summary", {}), ...})   # concurrently
    result = api.post("/api/aggregate/policies/assign", {...}, source="aws")

The route is resolved with Django's URL resolver and its view is called with a request built
here (`internal_request`) that carries the signed-in user, so audit rows at the sources name that
user (X-Acting-User). `Gateway(request, keep=True)` reads through the pages' kept answers
(kept.py: served while fresh, refreshed in the background).
"""

import contextvars
import io
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.urls import Resolver404, resolve

from controltower.roles import role_rank

from . import kept


@dataclass
class Result:
    """One aggregate answer. `error` is the API's error envelope body ({code, message, details})."""

    path: str
    status: int
    body: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def meta(self) -> dict:
        meta = self.body.get("_meta") if isinstance(self.body, dict) else None
        if meta is None and isinstance(self.body, dict):  # errors carry per-source outcomes in details
            details = (self.body.get("error") or {}).get("details") or {}
            if isinstance(details.get("sources"), dict):
                meta = {"sources": details["sources"], "error_only": True}
        return meta or {}

    @property
    def error(self) -> dict:
        error = self.body.get("error") if isinstance(self.body, dict) and not self.ok else None
        return error if isinstance(error, dict) else ({} if self.ok else {"message": f"HTTP {self.status}"})

    @property
    def message(self) -> str:
        """The error in words, for an error box."""
        code = self.error.get("code")
        text = self.error.get("message") or f"HTTP {self.status}"
        return f"{text} (HTTP {self.status}{', ' + code if code else ''})"


def _keepable(result: Result) -> bool:
    """Every selected source answered: a degraded answer is asked again next time."""
    return result.ok and not result.meta.get("degraded")


def data_as_of(results: list) -> str | None:
    """When the oldest of the page's answers was merged (ISO 8601, `_meta.generated_at`)."""
    times = [r.meta.get("generated_at") for r in results if isinstance(r, Result) and r.ok]
    return min((t for t in times if isinstance(t, str)), default=None)


def _clean(params: dict) -> dict:
    return {k: v for k, v in params.items() if v not in (None, "")}


def internal_request(method: str, path: str, query: str, user, body: bytes = b"") -> WSGIRequest:
    """A request from this process to one of its own views: `path` (a URL path as routes see it),
    `query` (urlencoded), `user` signed in, a JSON `body`; no cookies or other headers, and the
    client address is 127.0.0.1 (this host)."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path.encode().decode("iso-8859-1"),  # WSGI carries the UTF-8 bytes as latin-1
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    request = WSGIRequest(environ)
    request.user = user
    return request


class Gateway:
    """Calls aggregate routes as the request's user."""

    def __init__(self, request, keep: bool = False) -> None:
        self.user = request.user
        self.rank = role_rank(self.user)  # cache the user's groups here: calls may run on worker threads
        self.keep = keep and kept.enabled()

    def _call(self, method: str, path: str, params: dict, body: dict | None = None) -> Result:
        try:
            match = resolve(path)
        except Resolver404:
            return Result(path, 404, {"error": {"code": "not_found", "message": f"No route {path}."}})
        query = urlencode(_clean(params), doseq=True)
        if method == "GET":
            request = internal_request("GET", path, query, self.user)
        else:
            request = internal_request(method, path, query, self.user, json.dumps(body or {}).encode())
            request._dont_enforce_csrf_checks = True  # the page's own form was CSRF-checked
        response = match.func(request, *match.args, **match.kwargs)
        data = getattr(response, "data", None)
        if data is None:
            data = {"error": {"code": "unexpected", "message": f"{path} answered {response.status_code}"}}
        return Result(path, response.status_code, data if isinstance(data, dict) else {"items": data})

    def get(self, path: str, **params) -> Result:
        return self.read_kept(path, params, lambda: self._call("GET", path, params), _keepable)

    def read_kept(self, name: str, params: dict, fetch, keep):
        """`fetch()`, through the kept answers when this gateway keeps them (per user and role,
        `name` and `params`); `keep(answer)` says whether the answer may be kept."""
        if not self.keep:
            return fetch()
        user = self.user.get_username() if self.user.is_authenticated else ""
        key = (user, self.rank, name, tuple(sorted((k, str(v)) for k, v in _clean(params).items())))
        return kept.read(key, fetch, keep)

    def post(self, path: str, body: dict, **params) -> Result:
        return self._call("POST", path, params, body)

    def get_many(self, calls: dict[str, tuple[str, dict]]) -> dict[str, Result]:
        """Several GETs at once (each fans out to the sources itself); {key: Result}."""
        calls = {k: c for k, c in calls.items() if c is not None}
        if len(calls) <= 1:
            return {k: self.get(path, **params) for k, (path, params) in calls.items()}

        def run(path: str, params: dict) -> Result:
            try:
                return self.get(path, **params)
            finally:
                connections.close_all()  # worker threads must not keep database connections

        with ThreadPoolExecutor(max_workers=min(10, len(calls)), thread_name_prefix="ct-pages") as pool:
            futures = {
                k: pool.submit(contextvars.copy_context().run, run, path, params)
                for k, (path, params) in calls.items()
            }
            return {k: f.result() for k, f in futures.items()}
