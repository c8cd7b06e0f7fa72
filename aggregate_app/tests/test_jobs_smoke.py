"""The scheduled smoke, called directly, against real servers: runs and checks are stored once per
window, and a target alerts when it starts failing and when it recovers — once each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aggregate_app.jobs import notify, smoke
from aggregate_app.jobs.windows import SMOKE_WINDOW, window_start
from aggregate_app.models import AlertState, SmokeCheck, SmokeRun
from testsupport.live_servers import free_port
from testsupport.webhook_receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def smoke_settings(settings, live_tiers_as_sources):
    settings.SMOKE_TOKEN = live_tiers_as_sources.token
    settings.SMOKE_API_URL = settings.SMOKE_UI_URL = ""
    settings.CT_ALERT_WEBHOOK = ""


@pytest.fixture
def hook(settings):
    with Receiver() as receiver:
        settings.SMOKE_ALERT_WEBHOOK = receiver.url
        yield receiver


def test_a_scheduled_run_stores_every_contract_and_alerts_on_the_failing_one(
    live_tiers_as_sources, settings, hook
):
    settings.SMOKE_UI_URL = live_tiers_as_sources.control.url
    now = window_start(timezone.now(), SMOKE_WINDOW) + timedelta(minutes=7)
    result = smoke.run_scheduled_smoke(now=now)
    assert result["runs"] == {
        "api:aws": "PASS",
        "api:azure": "FAIL",
        "ui:ui": "PASS",
    }  # azure has no BUILD_ID
    assert result["alerts"] == {AlertState.SENT: 1}
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
    [body] = hook.bodies
    assert (
        body["event"] == "smoke_failed" and body["target"] == "azure" and body["failed_checks"] == ["version"]
    )
    assert body["title"] == f"FAILED: API smoke on azure ({live_tiers_as_sources.azure.url})"
    assert body["text"].startswith("1/9 checks failed: version: /version build.build_id, build.git_sha")

    again = smoke.run_scheduled_smoke(now=now + timedelta(hours=2))  # the same 6-hour window
    assert again["runs"] == {"api:aws": "already_ran", "api:azure": "already_ran", "ui:ui": "already_ran"}
    assert SmokeRun.objects.count() == 3 and len(hook.posts) == 1


def test_a_target_alerts_once_when_it_fails_and_once_when_it_recovers(live_tiers_as_sources, settings, hook):
    first = window_start(timezone.now(), SMOKE_WINDOW)
    settings.SMOKE_API_URL = f"http://127.0.0.1:{free_port()}"  # the API is down
    assert smoke.run_scheduled_smoke(now=first)["runs"] == {"api:api": "FAIL"}
    assert smoke.run_scheduled_smoke(now=first + SMOKE_WINDOW)["runs"] == {
        "api:api": "FAIL"
    }  # still down: quiet
    settings.SMOKE_API_URL = live_tiers_as_sources.aws.url  # back
    assert smoke.run_scheduled_smoke(now=first + 2 * SMOKE_WINDOW)["runs"] == {"api:api": "PASS"}
    assert smoke.run_scheduled_smoke(now=first + 3 * SMOKE_WINDOW)["runs"] == {"api:api": "PASS"}
    assert [b["event"] for b in hook.bodies] == ["smoke_failed", "smoke_recovered"]
    assert hook.bodies[1]["text"] == "All 9 checks pass again."
    kinds = list(SmokeRun.objects.order_by("window_start").values_list("alert_kind", flat=True))
    assert kinds == ["failure", "", "recovery", ""]


def test_slack_webhooks_get_slacks_payload():
    alert = notify.Alert("smoke_failed", "FAILED: API smoke on aws", "1/9 checks failed: version")
    assert notify.payload(alert, "https://hooks.slack.com/services/T0/B0/xyz") == {
        "text": "*FAILED: API smoke on aws*\n1/9 checks failed: version"
    }
    assert notify.payload(alert, "https://alerts.example.com/hook")["event"] == "smoke_failed"


def test_the_schedules_are_database_rows(db):
    from django_celery_beat.models import PeriodicTask

    rows = {t.task: t for t in PeriodicTask.objects.filter(enabled=True)}
    assert str(rows["aggregate.scheduled_smoke"].crontab).startswith("7 */6 * * *")
    assert str(rows["aggregate.refresh_cost_anomalies"].crontab).startswith("13 * * * *")
    assert "governance.expire_exceptions" in rows  # the exception expiry sweep (governance_app)
