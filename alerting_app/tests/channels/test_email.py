"""Email: through Django's email backend (locmem in tests) and through a real SMTP conversation
with a local server, with the SMTP answers classified for the outbox."""

import socket

import pytest
from django.core import mail

from alerting_app.channels.base import DeliveryError, Transition
from alerting_app.channels.email import EmailChannel
from alerting_app.tests.channels.conftest import make_message
from testsupport.smtp_receiver import SmtpReceiver

TO = ("data-oncall@example.com", "platform@example.org")


@pytest.fixture
def smtp(settings):
    with SmtpReceiver() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


def test_an_email_has_the_state_and_title_in_the_subject_and_a_text_and_html_body(message, settings):
    delivery = EmailChannel("ops-mail", TO, from_email="alerts@example.com").deliver(message)
    (sent,) = mail.outbox
    assert sent.subject == f"[TRIGGERED] {message.title}"
    assert (sent.from_email, sent.to) == ("alerts@example.com", list(TO))
    assert (
        message.summary in sent.body
        and "Open in Control Tower: https://ct.example.com/ops/alerts/7" in sent.body
    )
    assert "- stale dataset: analytics.orders (aws)" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;warehouse&gt; &amp; more" in html and "<warehouse>" not in html  # the title, escaped
    assert "<a href='https://ct.example.com/ops/alerts/7'>" in html
    assert delivery.detail == "sent to 2 recipient(s)"


def test_trigger_and_resolve_of_one_incident_share_a_thread():
    channel = EmailChannel("ops-mail", TO)
    channel.deliver(make_message())
    channel.deliver(make_message(transition=Transition.RESOLVE, title="p2 orders_daily\nrecovered"))
    trigger, resolve = mail.outbox
    assert resolve.subject == "[RESOLVED] p2 orders_daily recovered"
    assert trigger.extra_headers["References"] == resolve.extra_headers["References"]
    assert trigger.from_email == "controltower@localhost"  # DEFAULT_FROM_EMAIL


def test_an_email_goes_through_a_real_smtp_server(smtp, message):
    EmailChannel("ops-mail", TO, from_email="alerts@example.com").deliver(message)
    (received,) = smtp.messages
    assert (received["from"], received["to"]) == ("alerts@example.com", list(TO))
    email = received["message"]
    assert email["Subject"] == f"[TRIGGERED] {message.title}"
    assert email["X-ControlTower-Fingerprint"] == "aws:p2:failed_run"
    assert message.summary in email.get_body(("plain",)).get_content()
    assert "<h2>Triggered: p2 orders_daily failed" in email.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    ("reply", "retryable"), [("450 4.2.1 mailbox busy", True), ("550 5.1.1 no such user", False)]
)
def test_a_refused_recipient_is_retryable_only_when_the_refusal_is_transient(settings, reply, retryable):
    with SmtpReceiver(rcpt_reply=reply) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        with pytest.raises(DeliveryError) as caught:
            EmailChannel("ops-mail", TO).deliver(make_message())
    assert caught.value.retryable is retryable and not server.messages


def test_a_refused_message_and_an_unreachable_server(settings):
    with SmtpReceiver(data_reply="554 5.7.1 message rejected") as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        with pytest.raises(DeliveryError) as rejected:
            EmailChannel("ops-mail", TO).deliver(make_message())
    assert not rejected.value.retryable and rejected.value.detail.startswith("SMTP 554 from 127.0.0.1")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]
    with pytest.raises(DeliveryError) as unreachable:
        EmailChannel("ops-mail", TO).deliver(make_message())
    assert unreachable.value.retryable
