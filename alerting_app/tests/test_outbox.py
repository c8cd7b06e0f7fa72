"""Delivering the outbox through a real HTTP receiver: a 500 is retried later with backoff and
then succeeds, a 4xx that will never succeed gives up, a claim is taken once."""

from datetime import UTC, datetime, timedelta

import pytest

from alerting_app import actions, outbox
from alerting_app.actions import Occurrence
from alerting_app.choices import DeliveryStatus
from alerting_app.models import Notification
from testsupport.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def hook(settings, monkeypatch):
    settings.CT_ALERT_DEFAULT_CHANNELS = ["hook-oncall"]
    with Receiver(status=500) as receiver:
        monkeypatch.setenv("CT_TEST_ALERT_HOOK", receiver.url)
        yield receiver


def opened() -> Notification:
    actions.record(Occurrence("failed_run", "aws", "p7", T0, "p7 failed", "r1", pipeline_id="p7"), now=T0)
    return Notification.objects.get()


def test_a_500_is_retried_after_a_backoff_and_then_delivered(hook):
    note = opened()
    assert outbox.deliver(note.pk, now=T0) == DeliveryStatus.FAILED
    note.refresh_from_db()
    assert (note.attempts, note.last_error, note.status_code) == (1, "HTTP 500", 500)
    assert note.next_attempt_at > T0 and outbox.deliver(note.pk, now=T0) == ""  # not due yet
    hook.status = 200
    assert outbox.deliver(note.pk, now=note.next_attempt_at) == DeliveryStatus.DELIVERED
    note.refresh_from_db()
    assert (note.status, note.attempts, note.last_error) == ("delivered", 2, "")
    keys = [p["json"]["idempotency_key"] for p in hook.posts]
    assert keys == [note.idempotency_key] * 2 and hook.bodies[-1]["title"] == "p7 failed"


def test_a_refusal_that_will_never_succeed_gives_up_at_once(hook):
    hook.status = 404
    note = opened()
    assert outbox.deliver(note.pk, now=T0) == DeliveryStatus.GAVE_UP
    assert outbox.due(T0 + timedelta(days=1)) == []


def test_retries_stop_after_the_last_attempt(hook, settings):
    settings.CT_ALERT_MAX_ATTEMPTS = 3
    note = opened()
    statuses = []
    for day in range(5):
        statuses.append(outbox.deliver(note.pk, now=T0 + timedelta(days=day)))
    assert statuses == ["failed", "failed", "gave_up", "", ""] and len(hook.posts) == 3


def test_the_backoff_grows_exponentially_with_jitter(settings):
    settings.CT_ALERT_RETRY_BASE_S = 10
    waits = [[outbox.backoff(n).total_seconds() for _ in range(50)] for n in (1, 2, 3, 4)]
    for n, seen in enumerate(waits):
        assert 5 * 2**n <= min(seen) and max(seen) <= 15 * 2**n
        assert len(set(seen)) > 1  # jittered
    assert sum(waits[3]) > 4 * sum(waits[0])


def test_a_notification_is_claimed_once_and_a_dead_claim_is_taken_over(settings):
    settings.CT_ALERT_CLAIM_TIMEOUT_S = 60
    note = opened()
    assert outbox.claim(note.pk, T0) is not None
    assert outbox.claim(note.pk, T0 + timedelta(seconds=30)) is None  # another worker holds it
    late = outbox.claim(note.pk, T0 + timedelta(seconds=61))  # the holder died
    assert late is not None
    assert not outbox._finish(note.pk, "the-dead-workers-token", status="delivered")
    assert outbox._finish(note.pk, late, status="delivered")


def test_a_dead_claim_on_the_last_attempt_is_given_up_not_left_sending(settings):
    settings.CT_ALERT_CLAIM_TIMEOUT_S, settings.CT_ALERT_MAX_ATTEMPTS = 60, 1
    note = opened()
    assert outbox.claim(note.pk, T0) is not None  # its worker dies before recording anything
    assert outbox.give_up_abandoned(T0 + timedelta(seconds=30)) == 0  # it may still be working
    assert outbox.claim(note.pk, T0 + timedelta(seconds=61)) is None  # no attempt left to take over
    assert outbox.give_up_abandoned(T0 + timedelta(seconds=61)) == 1
    note.refresh_from_db()
    assert note.status == DeliveryStatus.GAVE_UP and "last allowed attempt" in note.last_error


def test_a_channel_nobody_configured_is_said_so(settings):
    settings.CT_ALERT_DEFAULT_CHANNELS = ["nowhere"]
    note = opened()
    assert outbox.deliver(note.pk, now=T0) == DeliveryStatus.NO_CHANNEL
    note.refresh_from_db()
    assert note.last_error == "No channel named 'nowhere' is configured."
