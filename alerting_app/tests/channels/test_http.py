"""What each HTTP channel tells the outbox when delivery fails: retry later, or stop until the
configuration is fixed. Every vendor answers the same way, so every channel is tried."""

import socket

import pytest

from alerting_app.channels.base import DeliveryError
from alerting_app.channels.slack import SlackChannel
from alerting_app.tests.channels.conftest import make_message
from testsupport.webhook_receiver import Receiver

SECRET = "s3cr3t0000111122223333444455556666"


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (500, True),
        (502, True),
        (503, True),
        (429, True),
        (408, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (410, False),
    ],
)
def test_an_error_answer_is_retryable_only_when_it_may_pass(http_channel, status, retryable):
    with Receiver(status=status) as hook:
        with pytest.raises(DeliveryError) as caught:
            http_channel(hook.base, SECRET).deliver(make_message())
    assert (caught.value.retryable, caught.value.status_code) == (retryable, status)
    assert caught.value.detail.startswith(f"HTTP {status} from 127.0.0.1:")


def test_after_a_500_the_retry_is_delivered(http_channel):
    with Receiver(status=202, script=[500]) as hook:
        channel = http_channel(hook.base, SECRET)
        with pytest.raises(DeliveryError) as first:
            channel.deliver(make_message())
        delivery = channel.deliver(make_message())
    assert first.value.retryable and delivery.status_code == 202
    assert len(hook.posts) == 2 and hook.bodies[0] == hook.bodies[1]  # the same notification, again


def test_a_refused_connection_is_retryable(http_channel):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        http_channel(f"http://127.0.0.1:{port}", SECRET).deliver(make_message())
    assert caught.value.retryable and caught.value.status_code is None
    assert caught.value.detail == f"could not connect to 127.0.0.1:{port}"


def test_a_receiver_slower_than_the_timeout_is_retryable(http_channel, settings):
    settings.CT_ALERT_TIMEOUT_S = 0.2
    with Receiver(delay_s=1.0) as hook:
        with pytest.raises(DeliveryError) as caught:
            http_channel(hook.base, SECRET).deliver(make_message())
    assert caught.value.retryable and "did not answer within 0.2s" in caught.value.detail


def test_a_redirect_is_not_followed():
    with Receiver(status=302) as hook:
        with pytest.raises(DeliveryError) as caught:
            SlackChannel("oncall-slack", hook.url).deliver(make_message())
    assert not caught.value.retryable and len(hook.posts) == 1
