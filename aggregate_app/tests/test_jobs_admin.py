"""The job records in the admin: smoke runs read-only with their checks, cost anomalies
acknowledged through the admin action (operator role and up)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from aggregate_app.models import CostAnomalyRecord, SmokeCheck, SmokeRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, governance_admin):
    User.objects.filter(pk=governance_admin.pk).update(is_staff=True)
    client.force_login(governance_admin)
    return client


def anomaly(pid: str) -> CostAnomalyRecord:
    now = timezone.now()
    return CostAnomalyRecord.objects.create(
        source="aws",
        pipeline_id=pid,
        usage_date=date(2026, 11, 20),
        first_seen_at=now,
        last_seen_at=now,
        ratio=4.2,
    )


def test_smoke_runs_show_their_checks_and_cannot_be_edited(admin_client):
    now = timezone.now()
    run = SmokeRun.objects.create(
        contract="api", target_name="aws", target_url="http://aws", status="FAIL", checks_total=2,
        checks_failed=1, failed_checks=["version"], started_at=now, finished_at=now,
    )  # fmt: skip
    SmokeCheck.objects.create(run=run, position=0, name="health", status="PASS", reason="status ok")
    SmokeCheck.objects.create(
        run=run, position=1, name="version", status="FAIL", reason="build.build_id empty"
    )
    listing = admin_client.get("/admin/aggregate/smokerun/")
    assert listing.status_code == 200 and "1/2 passed — failed: version" in listing.content.decode()
    page = admin_client.get(f"/admin/aggregate/smokerun/{run.pk}/change/").content.decode()
    assert "build.build_id empty" in page and 'name="_save"' not in page
    assert admin_client.get("/admin/aggregate/smokerun/add/").status_code == 403


def test_acknowledge_action_marks_open_anomalies(admin_client, governance_admin):
    first, second = anomaly("p1"), anomaly("p2")
    CostAnomalyRecord.objects.filter(pk=second.pk).update(status="resolved")
    response = admin_client.post(
        "/admin/aggregate/costanomalyrecord/",
        {"action": "acknowledge", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "1 anomaly record(s) acknowledged." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.acknowledged_by) == ("acknowledged", governance_admin.username)
    assert second.status == "resolved"


def test_a_staff_viewer_cannot_acknowledge(client, viewer):
    User.objects.filter(pk=viewer.pk).update(is_staff=True)
    client.force_login(viewer)
    record = anomaly("p1")
    page = client.get("/admin/aggregate/costanomalyrecord/")
    assert page.status_code == 200 and 'value="acknowledge"' not in page.content.decode()
    client.post(
        "/admin/aggregate/costanomalyrecord/", {"action": "acknowledge", "_selected_action": [record.pk]}
    )
    record.refresh_from_db()
    assert record.status == "open"
