"""Routing: matching rules add their channels, the team is the default route, quiet hours hold
notifications until they end; rule edits in the admin are kept with the person who made them."""

from datetime import UTC, datetime, time

import pytest
from django.contrib.auth.models import User

from alerting_app import actions, routing
from alerting_app.actions import Occurrence
from alerting_app.models import AlertIncident, Notification, RoutingRule

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def incident(**over) -> AlertIncident:
    fields = {"kind": "failed_run", "source": "aws", "team": "payments", "domain": "finance"}
    fields |= {"criticality": "critical", "severity": "critical", **over}
    return AlertIncident(
        subject="p7", pipeline_id="p7", title="p7 failed", first_seen_at=T0, last_seen_at=T0, **fields
    )


def rule(name: str, channels: list[str], **match) -> RoutingRule:
    return RoutingRule.objects.create(name=name, channels=channels, **match)


def test_every_matching_rule_adds_its_channels_and_blank_matches_anything():
    rule("critical-pages", ["pager", "memory"], criticality="critical", kind="failed_run")
    rule("finance-chat", ["finance-chat"], domain="Finance")
    rule("azure-only", ["azure-chat"], source="azure")
    rule("off", ["never"], enabled=False)
    assert [r.channel for r in routing.routes(incident(), T0)] == ["finance-chat", "memory", "pager"]
    assert [r.channel for r in routing.routes(incident(criticality="low", domain=""), T0)] == ["memory"]


def test_without_a_matching_rule_the_team_is_the_route_when_it_has_a_channel(settings, monkeypatch):
    monkeypatch.setattr(
        "alerting_app.tests.stub_channels.get", lambda name: object() if name == "payments" else None
    )
    assert [r.channel for r in routing.routes(incident(), T0)] == ["payments"]
    assert [r.channel for r in routing.routes(incident(team="search"), T0)] == [
        "memory"
    ]  # CT_ALERT_DEFAULT_CHANNELS


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (time(22), time(7), datetime(2026, 3, 2, 23, 30, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),
        (time(22), time(7), datetime(2026, 3, 3, 6, 59, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),
        (time(22), time(7), datetime(2026, 3, 3, 7, 0, tzinfo=UTC), None),
        (
            time(12),
            time(14),
            datetime(2026, 3, 3, 13, 0, tzinfo=UTC),
            datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
        ),
        (time(12), time(14), datetime(2026, 3, 3, 11, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours(start, end, now, until):
    assert routing.quiet_until(start, end, now) == until


def test_a_rules_quiet_hours_hold_its_notifications_until_they_end_unless_another_rule_sends_now():
    rule("night-quiet", ["memory"], team="payments", quiet_start=time(8), quiet_end=time(10))
    occ = Occurrence("failed_run", "aws", "p7", T0, "p7 failed", "r1", pipeline_id="p7", team="payments")
    actions.record(occ, now=T0)
    assert Notification.objects.get().next_attempt_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    rule("loud", ["memory"], kind="failed_run")
    assert routing.routes(AlertIncident.objects.get(), T0)[0].not_before == T0


def test_a_rule_must_name_configured_channels_and_whole_quiet_hours():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="No channel is configured with the name nope"):
        RoutingRule(name="r", channels=["memory", "nope"]).full_clean()
    with pytest.raises(ValidationError, match="both a start and an end"):
        RoutingRule(name="r", channels=["memory"], quiet_start=time(1)).full_clean()
    with pytest.raises(ValidationError, match="one or more channel names"):
        RoutingRule(name="r", channels=[]).full_clean()


@pytest.fixture
def staff(db):
    def login(client, user: User):
        User.objects.filter(pk=user.pk).update(is_staff=True)
        client.force_login(user)
        return client

    return login


FORM = {
    "name": "payments-pager",
    "enabled": "on",
    "team": "payments",
    "channels": '["memory"]',
    "source": "",
    "domain": "",
    "criticality": "",
    "severity": "",
    "kind": "",
    "description": "",
    "quiet_start": "",
    "quiet_end": "",
}


def test_rule_changes_in_the_admin_are_audited_with_the_person(client, staff, governance_admin):
    staff(client, governance_admin)
    assert client.post("/admin/alerting/routingrule/add/", FORM).status_code == 302
    rule_ = RoutingRule.objects.get()
    changed = {**FORM, "channels": '["memory", "hook-x"]', "team": "search"}
    assert (
        client.post(f"/admin/alerting/routingrule/{rule_.pk}/change/", changed).status_code == 200
    )  # hook-x unknown
    changed["channels"] = '["memory"]'
    assert client.post(f"/admin/alerting/routingrule/{rule_.pk}/change/", changed).status_code == 302
    history = list(
        rule_.history.order_by("history_id").values_list("history_type", "team", "history_user__username")
    )
    assert history == [
        ("+", "payments", governance_admin.username),
        ("~", "search", governance_admin.username),
    ]


def test_only_governance_admins_edit_rules(client, staff, operator, viewer):
    for user in (operator, viewer):
        client.logout()
        staff(client, user)
        assert client.get("/admin/alerting/routingrule/").status_code == 200  # they may read
        assert client.post("/admin/alerting/routingrule/add/", FORM).status_code == 403
    assert not RoutingRule.objects.exists()


def test_acknowledging_in_the_admin_needs_an_operator_and_is_audited(client, staff, operator, viewer):
    occ = Occurrence("failed_run", "aws", "p7", T0, "p7 failed", "r1", pipeline_id="p7")
    alert = actions.record(occ, now=T0)
    body = {"action": "acknowledge", "_selected_action": [alert.pk]}
    staff(client, viewer)
    client.post("/admin/alerting/alertincident/", body)
    alert.refresh_from_db()
    assert alert.state == "open"
    client.logout()
    staff(client, operator)
    client.post("/admin/alerting/alertincident/", body)
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == ("acknowledged", operator.username)
    assert alert.events.filter(action="acknowledged", actor=operator.username).exists()
