"""The incident lifecycle: open, count, acknowledge, snooze and its expiry, resolve with notice;
each change audited and its notifications written in the same transaction."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from alerting_app import actions, outbox
from alerting_app.actions import AlertStateError, Occurrence
from alerting_app.choices import Action, State
from alerting_app.models import AlertEvent, AlertIncident, Notification

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def failed(run: str, at: datetime = T0, pipeline: str = "p7") -> Occurrence:
    return Occurrence(
        kind="failed_run",
        source="aws",
        subject=pipeline,
        pipeline_id=pipeline,
        observed_at=at,
        title=f"{pipeline} failed",
        occurrence=run,
        team="payments",
    )


def test_a_new_occurrence_counts_on_the_open_incident_instead_of_opening_another():
    first = actions.record(failed("r1"), now=T0)
    again = actions.record(failed("r1", T0 + timedelta(minutes=1)), now=T0 + timedelta(minutes=1))
    later = actions.record(failed("r2", T0 + timedelta(minutes=5)), now=T0 + timedelta(minutes=5))
    assert first.pk == again.pk == later.pk
    assert AlertIncident.objects.count() == 1
    assert (later.count, later.last_seen_at, later.first_seen_at) == (2, T0 + timedelta(minutes=5), T0)
    assert list(Notification.objects.values_list("transition", "channel")) == [("trigger", "memory")]


def test_acknowledge_is_audited_notified_and_refused_twice():
    incident = actions.record(failed("r1"), now=T0)
    actions.acknowledge(incident, actor="olivia", reason="looking", now=T0 + timedelta(minutes=2))
    incident.refresh_from_db()
    assert (incident.state, incident.acknowledged_by) == (State.ACKNOWLEDGED, "olivia")
    event = AlertEvent.objects.get(action=Action.ACKNOWLEDGED)
    assert (event.actor, event.reason, event.incident_id) == ("olivia", "looking", incident.pk)
    assert set(Notification.objects.values_list("transition", flat=True)) == {"trigger", "acknowledge"}
    with pytest.raises(AlertStateError):
        actions.acknowledge(incident, actor="olivia")


def test_a_snooze_wakes_by_itself_when_it_ends():
    incident = actions.record(failed("r1"), now=T0)
    actions.snooze(incident, actor="olivia", reason="deploy window", until=T0 + timedelta(hours=1), now=T0)
    assert actions.expire_snoozes(now=T0 + timedelta(minutes=30)) == 0
    incident.refresh_from_db()
    assert (incident.state, incident.snoozed_by, incident.snooze_reason) == (
        State.SNOOZED,
        "olivia",
        "deploy window",
    )
    assert actions.expire_snoozes(now=T0 + timedelta(hours=1, minutes=1)) == 1
    incident.refresh_from_db()
    assert (incident.state, incident.snoozed_until) == (State.OPEN, None)
    assert list(incident.events.order_by("pk").values_list("action", "actor")) == [
        ("opened", "system:alerting"),
        ("snoozed", "olivia"),
        ("snooze_expired", "system:alerting"),
    ]


def test_a_snooze_needs_a_reason_and_a_future_end():
    incident = actions.record(failed("r1"), now=T0)
    with pytest.raises(AlertStateError):
        actions.snooze(incident, actor="olivia", reason="", until=T0 + timedelta(hours=1), now=T0)
    with pytest.raises(AlertStateError):
        actions.snooze(incident, actor="olivia", reason="x", until=T0, now=T0)
    assert not AlertEvent.objects.filter(action=Action.SNOOZED).exists()


def test_resolving_sends_a_resolve_notice_and_the_next_failure_opens_a_new_incident(_test_channels):
    incident = actions.record(failed("r1"), now=T0)
    actions.resolve(incident, actor="system:alerting", reason="p7 succeeded", now=T0 + timedelta(hours=1))
    for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
        assert outbox.deliver(pk, now=T0 + timedelta(hours=2)) == "delivered"
    assert [(m.transition, m.subject) for m in _test_channels] == [("trigger", "p7"), ("resolve", "p7")]
    reopened = actions.record(failed("r9", T0 + timedelta(hours=3)), now=T0 + timedelta(hours=3))
    assert reopened.pk != incident.pk and reopened.state == State.OPEN
    with pytest.raises(AlertStateError):
        actions.acknowledge(incident, actor="olivia")


def test_an_operator_resolving_a_root_resolves_its_members():
    root = actions.record(failed("r1"), now=T0)
    member = actions.record(failed("r2", pipeline="p8"), now=T0, root=root)
    actions.resolve(root, actor="olivia", reason="fixed upstream", now=T0 + timedelta(minutes=9))
    member.refresh_from_db()
    assert (member.state, member.resolved_by) == (State.RESOLVED, "olivia")
    assert not Notification.objects.filter(incident=member).exists()  # members are told through their root


def test_the_notification_is_written_with_the_state_change_or_not_at_all():
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.record(failed("r1"), now=T0)
        raise RuntimeError("the transaction dies after the incident opened")
    assert not AlertIncident.objects.exists() and not Notification.objects.exists()


def test_notifications_go_to_workers_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("alerting_app.tasks.enqueue", lambda pk, eta=None: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        incident = actions.record(failed("r1"), now=T0)
        assert queued == []
    assert queued == list(Notification.objects.filter(incident=incident).values_list("pk", flat=True))
