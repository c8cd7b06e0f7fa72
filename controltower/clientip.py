"""The client's address, as the sign-in lockout and the anonymous API throttle count it.

Behind CT_NUM_PROXIES reverse proxies, each appending the address it received from to
X-Forwarded-For, the client is that many entries from the right: entries further left are
whatever the client wrote, so they are never trusted. With none, the socket's address. Something
that is not an address counts as the socket's."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _without_port(address: str) -> str:
    """Azure's front end writes `1.2.3.4:56789` and `[2001:db8::1]:56789`: the port is not the client."""
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    if address.count(":") == 1:
        return address.split(":", 1)[0]
    return address


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.CT_NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if not forwarded:
        return remote
    candidate = _without_port(forwarded[-min(proxies, len(forwarded))])
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address (a misconfigured proxy count lets clients write here)
        return remote
