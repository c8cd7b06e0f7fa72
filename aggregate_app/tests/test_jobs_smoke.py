"""The scheduled smoke, called directly, against real servers: runs and checks are stored once per
window, and a run is marked when its target starts failing and when it recovers — once each
(alerting_app turns failing runs into alerts: alerting_app/tests/test_deprecated_webhooks.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aggregate_app.jobs import smoke
from aggregate_app.jobs.windows import SMOKE_WINDOW, window_start
from aggregate_app.models import SmokeCheck, SmokeRun
from testsupport.live_servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def smoke_settings(settings, live_tiers_as_sources):
    settings.SMOKE_TOKEN = live_tiers_as_sources.token
    settings.SMOKE_API_URL = settings.SMOKE_UI_URL = ""


def test_a_scheduled_run_stores_every_contract_and_marks_the_failing_one(live_tiers_as_sources, settings):
    settings.SMOKE_UI_URL = live_tiers_as_sources.control.url
    now = window_start(timezone.now(), SMOKE_WINDOW) + timedelta(minutes=7)
    result = smoke.run_scheduled_smoke(now=now)
    assert result["runs"] == {
        "api:aws": "PASS",
        "api:azure": "FAIL",
        "ui:ui": "PASS",
    }  # azure has no BUILD_ID
    azure = SmokeRun.objects.get(target_name="azure")
    assert (azure.failed_checks, azure.checks_total, azure.alert_kind) == (["version"], 9, "failure")
    assert (
        azure.window_start == window_start(now, SMOKE_WINDOW)
        and azure.target_url == live_tiers_as_sources.azure.url
    )
    assert SmokeCheck.objects.filter(run__target_name="ui").count() == 15
    assert list(SmokeCheck.objects.filter(run=azure, status="FAIL").values_list("name", flat=True)) == [
        "version"
    ]
    reason = SmokeCheck.objects.get(run=azure, status="FAIL").reason
    assert reason.startswith("/version build.build_id, build.git_sha")

    again = smoke.run_scheduled_smoke(now=now + timedelta(hours=2))  # the same 6-hour window
    assert again["runs"] == {"api:aws": "already_ran", "api:azure": "already_ran", "ui:ui": "already_ran"}
    assert SmokeRun.objects.count() == 3


def test_a_target_is_marked_once_when_it_fails_and_once_when_it_recovers(live_tiers_as_sources, settings):
    first = window_start(timezone.now(), SMOKE_WINDOW)
    settings.SMOKE_API_URL = f"http://127.0.0.1:{free_port()}"  # the API is down
    assert smoke.run_scheduled_smoke(now=first)["runs"] == {"api:api": "FAIL"}
    assert smoke.run_scheduled_smoke(now=first + SMOKE_WINDOW)["runs"] == {
        "api:api": "FAIL"
    }  # still down: quiet
    settings.SMOKE_API_URL = live_tiers_as_sources.aws.url  # back
    assert smoke.run_scheduled_smoke(now=first + 2 * SMOKE_WINDOW)["runs"] == {"api:api": "PASS"}
    assert smoke.run_scheduled_smoke(now=first + 3 * SMOKE_WINDOW)["runs"] == {"api:api": "PASS"}
    kinds = list(SmokeRun.objects.order_by("window_start").values_list("alert_kind", flat=True))
    assert kinds == ["failure", "", "recovery", ""]


def test_the_schedules_are_database_rows(db):
    from django_celery_beat.models import PeriodicTask

    rows = {t.task: t for t in PeriodicTask.objects.filter(enabled=True)}
    assert str(rows["aggregate.scheduled_smoke"].crontab).startswith("7 */6 * * *")
    assert str(rows["aggregate.refresh_cost_anomalies"].crontab).startswith("13 * * * *")
    assert "governance.expire_exceptions" in rows  # the exception expiry sweep (governance_app)
