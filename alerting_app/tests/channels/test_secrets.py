"""Secrets (webhook URLs, routing and API keys, signing secrets) never come back: not in an error,
a log line, a Delivery, describe() or repr(), whatever the receiver answers."""

import logging
import socket

import pytest

from alerting_app.channels.base import DeliveryError
from alerting_app.tests.channels.conftest import make_message
from testsupport.webhook_receiver import Receiver

SECRET = "SECRETa1b2c3d4e5f6a7b8c9d0e1f2a3b4"


def exposed(*values) -> list:
    return [v for v in values if SECRET in str(v)]


@pytest.mark.parametrize("status", [200, 400, 500])
def test_nothing_a_channel_reports_holds_its_secret(http_channel, status, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"error": f"invalid key {SECRET}", "url": f"/services/T0/B0/{SECRET}"}  # a receiver that echoes
    with Receiver(status=status, reply=echo) as hook:
        channel = http_channel(hook.base, SECRET)
        try:
            outcome = channel.deliver(make_message())
        except DeliveryError as exc:
            outcome = exc
            assert exc.__cause__ is None and exc.__context__ is None
    assert hook.posts, "the request was made"
    assert not exposed(outcome, getattr(outcome, "detail", ""), getattr(outcome, "payload", ""), caplog.text)
    assert not exposed(channel.describe(), repr(channel))


def test_an_unreachable_receiver_is_reported_by_host_only(http_channel, caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        http_channel(f"http://127.0.0.1:{port}", SECRET).deliver(make_message())
    assert caught.value.__context__ is None
    assert not exposed(caught.value, caught.value.detail, caplog.text)
    assert f"127.0.0.1:{port}" in caplog.text
