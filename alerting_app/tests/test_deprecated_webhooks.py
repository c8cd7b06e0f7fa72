"""SMOKE_ALERT_WEBHOOK and CT_ALERT_WEBHOOK, the settings of the single-webhook notifier that came
before channels, still deliver what they delivered: a smoke failure and a cost anomaly reach them
as Slack-style messages, through evaluation and the outbox, and `manage.py check` says which
channel settings to use instead."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from aggregate_app.models import CostAnomalyRecord, SmokeRun
from alerting_app import collect, evaluation, outbox
from alerting_app.channels.checks import check_alert_channels
from testsupport.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(settings):
    settings.CT_ALERT_CHANNELS_PROVIDER = "alerting_app.channels.registry.get"  # the real channels
    settings.CT_ALERT_DEFAULT_CHANNELS = ["recording"]
    settings.CT_SOURCES = "aws=http://127.0.0.1:9"
    with Receiver() as smoke, Receiver() as other:
        settings.SMOKE_ALERT_WEBHOOK = smoke.url
        settings.CT_ALERT_WEBHOOK = other.url
        yield smoke, other


def records(now):
    SmokeRun.objects.create(
        contract="api", target_name="azure", target_url="http://azure.example", status="FAIL",
        checks_total=9, checks_failed=1, failed_checks=["version"], started_at=now, finished_at=now,
        alert_kind="failure",
    )  # fmt: skip
    CostAnomalyRecord.objects.create(
        source="aws", pipeline_id="p7", pipeline_name="orders_load", team="payments",
        usage_date=date(2026, 11, 20), ratio=4.2, latest_cost_aud=420, baseline_median_aud=100,
        first_seen_at=now, last_seen_at=now,
    )  # fmt: skip


def deliver_all() -> list[str]:
    return [outbox.deliver(pk) for pk in outbox.due(timezone.now() + timedelta(seconds=1))]


def test_smoke_failures_and_cost_anomalies_reach_the_deprecated_webhooks(hooks):
    smoke, other = hooks
    now = timezone.now()
    records(now)
    evaluation.evaluate(collect.from_records(now), lambda source, pipeline: set(), now=now)
    assert set(deliver_all()) == {"delivered"}
    [smoke_body] = smoke.bodies
    [cost_body] = other.bodies
    assert "API smoke fails on azure" in smoke_body["text"] and smoke_body["blocks"]
    assert "orders_load" in cost_body["text"]


def test_only_one_set_hears_both_kinds(hooks, settings):
    smoke, _ = hooks
    settings.CT_ALERT_WEBHOOK = ""
    now = timezone.now()
    records(now)
    evaluation.evaluate(collect.from_records(now), lambda source, pipeline: set(), now=now)
    deliver_all()
    assert len(smoke.bodies) == 2


def test_the_check_warns_and_names_the_settings_to_use_instead(hooks):
    smoke, _ = hooks
    warnings = check_alert_channels()
    assert [w.id for w in warnings] == ["ct.W030", "ct.W030"]
    assert "SMOKE_ALERT_WEBHOOK is deprecated" in warnings[0].msg
    assert "CT_ALERT_CHANNEL_SMOKE_WEBHOOK_URL" in warnings[0].hint
    assert smoke.url not in warnings[0].msg + warnings[0].hint
    call_command("check")  # a warning, not an error
