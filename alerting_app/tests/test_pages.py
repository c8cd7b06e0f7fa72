"""The Alerts page: live alerts grouped by root with their notifications and delivery; operators
act on them from the page (audited), others only read; diagnostics shows each channel's last
success and failure."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from aggregate_app.diagnostics import extra_sections
from alerting_app import actions, outbox
from alerting_app.actions import Occurrence
from alerting_app.models import AlertEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _control(control_tier):
    return control_tier


def failed(pipeline: str) -> Occurrence:
    return Occurrence(
        "failed_run", "aws", pipeline, timezone.now(), f"{pipeline} failed", "r1", pipeline_id=pipeline
    )


@pytest.fixture
def grouped():
    root = actions.record(failed("ingest"))
    actions.record(failed("orders_daily"), root=root)
    actions.record(
        Occurrence("stale_dataset", "aws", "d_orders", timezone.now(), "stale", dataset="d_orders"), root=root
    )
    for pk in outbox.due():
        outbox.deliver(pk)
    return root


def test_the_page_groups_alerts_under_their_root_with_delivery_status(client, operator, grouped):
    client.force_login(operator)
    page = client.get("/ops/alerts/").content.decode()
    assert f'data-testid="alert-{grouped.pk}"' in page and "ingest failed" in page
    members = page.split(f'data-testid="members-{grouped.pk}"')[1].split("</ul>")[0]
    assert "orders_daily" in members and "d_orders" in members
    assert re.findall(r'data-testid="alert-(\d+)"', page) == [str(grouped.pk)]  # members are not listed apart
    notices = page.split(f'data-testid="notifications-{grouped.pk}"')[1].split("</table>")[0]
    assert "memory" in notices and "Delivered" in notices and "What memory received" in notices
    assert f'data-testid="alert-actions-{grouped.pk}"' in page
    assert '<a href="/ops/alerts/" aria-current="page">Alerts</a>' in page


def test_viewers_read_but_cannot_act(client, viewer, grouped):
    client.force_login(viewer)
    page = client.get("/ops/alerts/").content.decode()
    assert "ingest failed" in page and "alert-actions-" not in page
    assert client.post(f"/ops/alerts/{grouped.pk}/acknowledge/", {"reason": "x"}).status_code == 403
    assert not AlertEvent.objects.filter(action="acknowledged").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, grouped):
    assert client.get("/ops/alerts/")["Location"].startswith("/login/")
    assert client.post(f"/ops/alerts/{grouped.pk}/resolve/")["Location"].startswith("/login/")
    grouped.refresh_from_db()
    assert grouped.state == "open"


@pytest.mark.parametrize(
    ("verb", "form", "state", "action"),
    [
        ("acknowledge", {"reason": "looking"}, "acknowledged", "acknowledged"),
        ("snooze", {"hours": "4", "reason": "deploy window"}, "snoozed", "snoozed"),
        ("resolve", {"reason": "rerun fixed it"}, "resolved", "resolved"),
    ],
)
def test_operators_act_from_the_page_and_it_is_audited(client, operator, grouped, verb, form, state, action):
    client.force_login(operator)
    answer = client.post(f"/ops/alerts/{grouped.pk}/{verb}/", {**form, "next": "/ops/alerts/"})
    assert answer.status_code == 302 and answer["Location"] == "/ops/alerts/"
    grouped.refresh_from_db()
    assert grouped.state == state
    assert AlertEvent.objects.filter(incident=grouped, action=action, actor=operator.username).exists()
    if verb == "snooze":
        assert timedelta(hours=3, minutes=59) < grouped.snoozed_until - timezone.now() <= timedelta(hours=4)


def test_a_refused_move_is_said_on_the_page(client, operator, grouped):
    client.force_login(operator)
    client.post(f"/ops/alerts/{grouped.pk}/snooze/", {"hours": "4", "reason": ""})
    page = client.get("/ops/alerts/").content.decode()
    assert "Say why the alert is snoozed." in page
    grouped.refresh_from_db()
    assert grouped.state == "open"


def test_one_alert_shows_its_history(client, operator, grouped):
    actions.acknowledge(grouped, actor=operator.username, reason="looking")
    client.force_login(operator)
    page = client.get(f"/ops/alerts/{grouped.pk}/").content.decode()
    history = page.split('data-testid="alert-history"')[1]
    assert "Opened" in history and "Acknowledged" in history and operator.username in history
    assert client.get("/ops/alerts/999999/").status_code == 404


def test_diagnostics_shows_each_channels_last_success_and_failure(settings, monkeypatch, grouped):
    settings.CT_ALERT_DEFAULT_CHANNELS = ["memory", "hook-down"]
    monkeypatch.setenv("CT_TEST_ALERT_HOOK", "http://127.0.0.1:9/hook")  # nothing listens there
    other = actions.record(failed("p9"))
    for pk in outbox.due():
        outbox.deliver(pk)
    section = extra_sections()["alert_channels"]
    rows = {r["channel"]: r for r in section["rows"]}
    assert rows["memory"]["last_success_at"] is not None and rows["memory"]["last_failure_at"] is None
    assert rows["hook-down"]["last_success_at"] is None and rows["hook-down"]["last_failure_at"] is not None
    assert rows["hook-down"]["last_error"] == "ConnectionError" and rows["hook-down"]["waiting"] == 1
    assert section["status"] == "degraded" and other.pk


def test_open_alerts_read_as_a_queue_worst_first_and_paged(client, operator, grouped, monkeypatch):
    """A warning seen after a critical failure still comes second; a root with members before a
    lone one of the same severity; the count is every open root, the list a page of them."""
    from alerting_app import pages

    lone = actions.record(failed("lone_job"))  # error, like the root, seen later, nothing grouped
    stale = actions.record(
        Occurrence(
            "stale_dataset",
            "aws",
            "d_late",
            timezone.now(),
            "d_late stale",
            dataset="d_late",
            severity="warning",
        )
    )
    critical = actions.record(
        Occurrence(
            "failed_run", "aws", "billing", timezone.now() - timedelta(hours=3), "billing failed", "r9",
            pipeline_id="billing", severity="critical",
        )
    )  # fmt: skip
    client.force_login(operator)
    live = client.get("/ops/alerts/").content.decode().split('data-testid="recent-alerts"')[0]
    order = re.findall(r'data-testid="alert-(\d+)"', live)
    assert order == [str(a.pk) for a in (critical, grouped, lone, stale)]
    assert '<span class="count">4</span>' in live

    monkeypatch.setattr(pages, "PAGE_SIZE", 3)
    second = client.get("/ops/alerts/?page=2").content.decode().split('data-testid="recent-alerts"')[0]
    assert re.findall(r'data-testid="alert-(\d+)"', second) == [str(stale.pk)]
    assert "4–4 of 4 · page 2 of 2" in second and 'href="/ops/alerts/?page=1"' in second
