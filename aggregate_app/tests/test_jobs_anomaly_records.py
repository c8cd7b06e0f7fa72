"""The cost-anomaly refresh, called directly, against the real demo sources over HTTP, alerting to
a local webhook receiver."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aggregate_app.jobs import anomaly_records
from aggregate_app.jobs.windows import COST_WINDOW, window_start
from aggregate_app.models import AlertState, CostAnomalyRecord
from testsupport.live_servers import free_port
from testsupport.webhook_receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
Status = CostAnomalyRecord.Status


@pytest.fixture(autouse=True)
def no_smoke_alerts(settings):
    settings.SMOKE_ALERT_WEBHOOK = ""


@pytest.fixture
def hook(settings):
    with Receiver() as receiver:
        settings.CT_ALERT_WEBHOOK = receiver.url
        yield receiver


def live() -> set[tuple[str, str]]:
    return set(CostAnomalyRecord.objects.exclude(status=Status.RESOLVED).values_list("source", "pipeline_id"))


def snapshot() -> list[dict]:
    return list(CostAnomalyRecord.objects.order_by("pk").values())


def test_refresh_finds_the_injected_anomalies_and_alerts_once_each(live_tiers_as_sources, hook):
    now = window_start(timezone.now(), COST_WINDOW) + timedelta(minutes=1)  # reruns below stay in its hour
    result = anomaly_records.refresh_cost_anomalies(now=now)
    flagged = {
        (s.name, p)
        for s in (live_tiers_as_sources.aws, live_tiers_as_sources.azure)
        for p in live_tiers_as_sources.flagged(s)
    }
    injected = {("aws", p) for p in live_tiers_as_sources.aws.injected} | {
        ("azure", p) for p in live_tiers_as_sources.azure.injected
    }
    assert injected and injected <= flagged and live() == flagged
    assert result["sources"]["aws"]["opened"] == len(live_tiers_as_sources.flagged(live_tiers_as_sources.aws))
    assert result["alerts"] == {AlertState.SENT: len(flagged)}
    assert sorted((b["source"], b["pipeline_id"]) for b in hook.bodies) == sorted(flagged)
    body = hook.bodies[0]
    assert body["event"] == "cost_anomaly" and body["ratio"] >= 1.5 and body["latest_cost_aud"] > 0
    assert body["title"].startswith(f"Cost anomaly in {body['source']}: ")
    record = CostAnomalyRecord.objects.get(source=body["source"], pipeline_id=body["pipeline_id"])
    assert record.first_seen_at == record.last_seen_at == now and record.alert_state == AlertState.SENT

    before = snapshot()
    again = anomaly_records.refresh_cost_anomalies(now=now + timedelta(minutes=20))  # same hourly window
    assert snapshot() == before
    assert len(hook.bodies) == len(flagged)
    assert again["sources"]["aws"] == {
        "status": "ok",
        "complete": True,
        "unchanged": len(live_tiers_as_sources.flagged(live_tiers_as_sources.aws)),
        "resolved": 0,
    }

    later = now + timedelta(hours=1)
    anomaly_records.refresh_cost_anomalies(now=later)
    record.refresh_from_db()
    assert (record.first_seen_at, record.last_seen_at) == (now, later)
    assert len(hook.bodies) == len(flagged)


def test_gone_anomalies_resolve_but_not_when_their_source_is_down(live_tiers_as_sources, settings, hook):
    now = timezone.now()
    settings.CT_SOURCES += f",gcp=http://127.0.0.1:{free_port()}"  # configured, stopped
    fields = {
        "usage_date": now.date(),
        "first_seen_at": now - timedelta(days=2),
        "last_seen_at": now - timedelta(days=1),
    }
    gone = CostAnomalyRecord.objects.create(source="aws", pipeline_id="p-retired", **fields)
    unknown = CostAnomalyRecord.objects.create(source="gcp", pipeline_id="p7", **fields)
    result = anomaly_records.refresh_cost_anomalies(now=now)
    gone.refresh_from_db()
    unknown.refresh_from_db()
    assert (gone.status, gone.resolved_at) == (Status.RESOLVED, now)
    assert unknown.status == Status.OPEN
    assert result["sources"]["gcp"]["status"] == "degraded"
    assert result["sources"]["aws"]["resolved"] == 1
    assert {b["pipeline_id"] for b in hook.bodies} == {p for _, p in live() if _ != "gcp"}


def test_acknowledged_anomalies_stay_quiet_and_a_flap_on_the_same_day_reopens(live_tiers_as_sources, hook):
    now = timezone.now()
    anomaly_records.refresh_cost_anomalies(now=now)
    alerts = len(hook.bodies)
    first, second = CostAnomalyRecord.objects.filter(source="aws").order_by("pipeline_id")[:2]
    assert (
        anomaly_records.acknowledge(CostAnomalyRecord.objects.filter(pk=first.pk), actor="otto", now=now) == 1
    )
    CostAnomalyRecord.objects.filter(pk=second.pk).update(status=Status.RESOLVED, resolved_at=now)

    anomaly_records.refresh_cost_anomalies(now=now + timedelta(hours=1))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.acknowledged_by) == (Status.ACKNOWLEDGED, "otto")
    assert (second.status, second.resolved_at) == (Status.OPEN, None)  # same record, reopened
    assert CostAnomalyRecord.objects.filter(source="aws", pipeline_id=second.pipeline_id).count() == 1
    assert len(hook.bodies) == alerts


def test_a_failed_alert_is_retried_on_the_next_run_then_sent_once(live_tiers_as_sources, hook):
    hook.status = 500
    now = timezone.now()
    anomaly_records.refresh_cost_anomalies(now=now)
    failed = CostAnomalyRecord.objects.filter(alert_state=AlertState.FAILED)
    count = failed.count()
    assert count == CostAnomalyRecord.objects.count() and set(
        failed.values_list("alert_error", flat=True)
    ) == {"HTTP 500"}
    hook.status = 200
    result = anomaly_records.refresh_cost_anomalies(now=now + timedelta(minutes=5))
    assert result["alerts"] == {AlertState.SENT: count}
    assert len(hook.posts) == 2 * count  # one refused, one delivered, per anomaly
    assert anomaly_records.refresh_cost_anomalies(now=now + timedelta(minutes=10))["alerts"] == {}


def test_without_a_webhook_nothing_is_sent_and_the_record_says_so(live_tiers_as_sources, settings):
    settings.CT_ALERT_WEBHOOK = ""
    result = anomaly_records.refresh_cost_anomalies()
    assert set(CostAnomalyRecord.objects.values_list("alert_state", flat=True)) == {AlertState.NO_WEBHOOK}
    assert result["alerts"] == {AlertState.NO_WEBHOOK: CostAnomalyRecord.objects.count()}
