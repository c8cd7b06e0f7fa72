"""Alert deliveries in /metrics, by channel and result, after real deliveries to a local receiver."""

from datetime import UTC, datetime, timedelta

import pytest

from alerting_app import actions, outbox
from alerting_app.actions import Occurrence
from alerting_app.models import Notification
from testsupport.metrics import scrape
from testsupport.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_deliveries_are_counted_by_channel_and_result(settings, monkeypatch, client):
    settings.CT_ALERT_DEFAULT_CHANNELS, settings.CT_ALERT_MAX_ATTEMPTS = ["hook-oncall"], 2
    actions.record(Occurrence("failed_run", "aws", "p7", T0, "p7 failed", "r1", pipeline_id="p7"), now=T0)
    note = Notification.objects.get()
    before = scrape(client)
    with Receiver(status=500) as receiver:
        monkeypatch.setenv("CT_TEST_ALERT_HOOK", receiver.url)
        assert outbox.deliver(note.pk, now=T0) == "failed"
        assert outbox.deliver(note.pk, now=T0 + timedelta(days=1)) == "gave_up"
        actions.record(Occurrence("failed_run", "aws", "p8", T0, "p8 failed", "r2", pipeline_id="p8"), now=T0)
        receiver.status = 200
        assert outbox.deliver(Notification.objects.latest("pk").pk, now=T0) == "delivered"
    after = scrape(client)
    for status in ("failed", "gave_up", "delivered"):
        labels = {"channel": "hook-oncall", "status": status}
        assert (
            after.value("ct_alert_deliveries_total", **labels)
            - before.value("ct_alert_deliveries_total", **labels)
            == 1
        )
