"""GET /metrics: the process's metrics (all processes' with PROMETHEUS_MULTIPROC_DIR) in
Prometheus text format. A plain Django view, so it is in no OpenAPI document.

Open in development and the demo. In production a scrape needs the bearer token CT_METRICS_TOKEN
or a client address in CT_METRICS_ALLOW (CIDRs, the address as controltower.clientip finds it
behind CT_NUM_PROXIES); with neither configured /metrics refuses everyone."""

import hmac
import ipaddress
import os
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from controltower.clientip import client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def registry() -> CollectorRegistry:
    """Every process's values when they share PROMETHEUS_MULTIPROC_DIR, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    return REGISTRY


@lru_cache(maxsize=8)
def networks(allow: tuple[str, ...]) -> tuple[Network, ...]:
    """CT_METRICS_ALLOW as networks; a bare address is a /32 (/128). Bad entries raise (ct.E040)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in allow if entry.strip())


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def allowed(request: HttpRequest) -> bool:
    if not settings.PRODUCTION:
        return True
    token = settings.CT_METRICS_TOKEN
    if token and hmac.compare_digest(_bearer(request).encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks(tuple(settings.CT_METRICS_ALLOW)))


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        response = HttpResponse(
            "Forbidden: /metrics needs CT_METRICS_TOKEN or an allowed address.\n", status=403
        )
        response["Content-Type"] = "text/plain; charset=utf-8"
        if settings.CT_METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
