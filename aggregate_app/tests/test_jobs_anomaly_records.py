"""The cost-anomaly refresh, called directly, against the real demo sources over HTTP: one record
per live anomaly (alerting_app alerts on the open ones: alerting_app/tests/test_deprecated_webhooks.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aggregate_app.jobs import anomaly_records
from aggregate_app.jobs.windows import COST_WINDOW, window_start
from aggregate_app.models import CostAnomalyRecord
from testsupport.live_servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
Status = CostAnomalyRecord.Status


def live() -> set[tuple[str, str]]:
    return set(CostAnomalyRecord.objects.exclude(status=Status.RESOLVED).values_list("source", "pipeline_id"))


def snapshot() -> list[dict]:
    return list(CostAnomalyRecord.objects.order_by("pk").values())


def test_refresh_finds_the_injected_anomalies_once_each(live_tiers_as_sources):
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
    record = CostAnomalyRecord.objects.order_by("pk").first()
    assert record.ratio >= 1.5 and record.latest_cost_aud > 0
    assert record.first_seen_at == record.last_seen_at == now

    before = snapshot()
    again = anomaly_records.refresh_cost_anomalies(now=now + timedelta(minutes=20))  # same hourly window
    assert snapshot() == before
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


def test_gone_anomalies_resolve_but_not_when_their_source_is_down(live_tiers_as_sources, settings):
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


def test_acknowledged_anomalies_stay_acknowledged_and_a_flap_on_the_same_day_reopens(live_tiers_as_sources):
    now = timezone.now()
    anomaly_records.refresh_cost_anomalies(now=now)
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
