"""Request count and latency per route. The route is the URL pattern the request resolved to
(`api/pipelines/<str:pipeline_id>/runs`), never the path itself, so the labels stay few whatever
the clients ask for; a request that matched no route counts as `<unmatched>`. While tracing is on,
the request keeps its trace id for the log lines Django writes after the middleware returned."""

import time

from django.urls import Resolver404, resolve

from . import tracing
from .metrics import HTTP_DURATION, HTTP_REQUESTS

UNMATCHED = "<unmatched>"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}  # any other counts as OTHER


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered before URL resolution (e.g. from a cache): resolve it here
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return UNMATCHED
    return match.route or match.view_name or UNMATCHED


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        if tracing.enabled:
            request.trace_id = tracing.current_trace_id()
        response = self.get_response(request)
        route = route_of(request)
        method = request.method if request.method in METHODS else "OTHER"
        HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(method, route, str(response.status_code)).inc()
        return response
