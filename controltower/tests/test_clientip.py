"""The client's address behind CT_NUM_PROXIES proxies: what the sign-in lockout and the anonymous
throttle count by. Entries a client could write itself are never taken."""

import pytest
from django.test import RequestFactory

from controltower.clientip import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's
        (2, "198.51.100.1, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (1, "203.0.113.9:51234", "203.0.113.9"),  # Azure's front end adds the port
        (1, "[2001:db8::7]:51234", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_is_the_entry_the_nearest_trusted_proxy_wrote(settings, proxies, forwarded, expected):
    settings.CT_NUM_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)
    assert client_ip(request) == expected
