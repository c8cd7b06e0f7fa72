"""Every route the URL resolver knows, with a concrete example path and the methods it serves.

The authorization matrix (test_authz_matrix.py) and the secrets test walk this list, so a route
added anywhere is checked without anyone remembering to list it."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Values for path parameters: a pipeline and a run that exist in the demo estates, a page view.
SAMPLES = {"pipeline_id": "p2", "run_id": "run-1", "view": "overview", "app_label": "governance"}
_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the URLconfs, e.g. "api/pipelines/<str:pipeline_id>/runs"
    path: str  # an example request path, e.g. "/api/pipelines/p2/runs"
    view: type | None  # the class behind a class-based view, else None
    callback: object
    namespace: str

    @property
    def is_api(self) -> bool:
        """A DRF view (its own authentication and RolePermission)."""
        from rest_framework.views import APIView

        return isinstance(self.view, type) and issubclass(self.view, APIView)

    @property
    def methods(self) -> tuple[str, ...]:
        """The HTTP methods the view declares (upper case); None-class views list theirs in the test."""
        if self.view is None:
            return ()
        return tuple(m.upper() for m in HTTP_METHODS if hasattr(self.view, m))


def _example(pattern: str) -> str:
    path = _ROUTE_PARAM.sub(lambda m: SAMPLES.get(m.group(2), "1"), pattern)
    path = _REGEX_GROUP.sub(lambda m: SAMPLES.get(m.group(1), "1"), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback, namespace


def all_routes() -> list[Route]:
    routes = []
    for pattern, callback, namespace in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        routes.append(Route(pattern, _example(pattern), view, callback, namespace))
    return routes
