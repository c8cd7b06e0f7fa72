"""Evaluation: symptoms downstream of a failed root within the window become one incident with
one notification naming the root; cleared conditions resolve with a notice."""

from datetime import UTC, datetime, timedelta

import pytest

from alerting_app import outbox
from alerting_app.actions import Occurrence
from alerting_app.choices import State
from alerting_app.evaluation import Pass, evaluate
from alerting_app.models import AlertIncident, Notification

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# The test's lineage: ingest -> p1..p30 (each writing d1..d30); p1..p10 feed a dashboard model.
LINEAGE = {("aws", "ingest"): {f"p{i}" for i in range(1, 31)} | {f"d{i}" for i in range(1, 31)}}


def downstream(source: str, pipeline: str) -> set[str]:
    return LINEAGE.get((source, pipeline), set())


def failed(pipeline: str, at: datetime, source: str = "aws") -> Occurrence:
    return Occurrence(
        kind="failed_run",
        source=source,
        subject=pipeline,
        pipeline_id=pipeline,
        observed_at=at,
        title=f"{pipeline} failed",
        occurrence=f"run-{pipeline}-{at:%H%M}",
        team="core",
    )


def stale(dataset: str, at: datetime) -> Occurrence:
    return Occurrence(
        kind="stale_dataset",
        source="aws",
        subject=dataset,
        dataset=dataset,
        observed_at=at,
        title=f"{dataset} is stale",
        occurrence="",
        severity="warning",
    )


def deliver_all(now: datetime) -> None:
    for pk in outbox.due(now):
        outbox.deliver(pk, now=now)


def test_a_replayed_storm_is_one_incident_and_far_fewer_notifications_naming_the_root(_test_channels):
    """One root failure, then 30 downstream failures and stale datasets over three passes."""
    root = failed("ingest", T0)
    wave1 = [failed(f"p{i}", T0 + timedelta(minutes=2)) for i in range(1, 16)]
    wave2 = wave1 + [failed(f"p{i}", T0 + timedelta(minutes=4)) for i in range(16, 31)]
    wave3 = wave2 + [stale(f"d{i}", T0 + timedelta(minutes=6)) for i in range(1, 11)]
    complete = {("aws", "failed_run"), ("aws", "stale_dataset")}
    for minutes, seen in ((1, [root]), (3, [root, *wave1]), (5, [root, *wave2]), (7, [root, *wave3])):
        evaluate(Pass(seen, complete), downstream, now=T0 + timedelta(minutes=minutes))
        deliver_all(T0 + timedelta(minutes=minutes))
    evaluate(Pass([], complete), downstream, now=T0 + timedelta(minutes=30))  # everything clears
    deliver_all(T0 + timedelta(minutes=30))

    failures = 1 + 30 + 10  # one notification per failure is the baseline
    incident = AlertIncident.objects.get(root__isnull=True)
    assert incident.subject == "ingest" and incident.members.count() == 40
    assert _test_channels[0].transition == "trigger" and "ingest" in _test_channels[0].title
    assert [m.transition for m in _test_channels] == ["trigger", "update", "resolve"]
    assert len(_test_channels[1].members) >= 15  # the update names what the root hits
    assert 1 - len(_test_channels) / failures >= 0.7
    assert not AlertIncident.objects.exclude(state=State.RESOLVED).exists()


def test_symptoms_seen_with_their_root_in_one_pass_are_named_in_the_first_notification(_test_channels):
    seen = [
        failed("p3", T0 + timedelta(minutes=1)),
        failed("ingest", T0),
        stale("d3", T0 + timedelta(minutes=2)),
    ]
    counts = evaluate(Pass(seen), downstream, now=T0 + timedelta(minutes=3))
    deliver_all(T0 + timedelta(minutes=3))
    assert counts == {"opened": 3, "updated": 0, "grouped": 2, "resolved": 0}
    [message] = _test_channels
    assert message.subject == "ingest" and {m.name for m in message.members} == {"p3", "d3"}


def test_a_pipelines_sla_breach_joins_its_own_failure(_test_channels):
    breach = Occurrence(
        "sla_breach", "aws", "p9", T0 + timedelta(minutes=1), "p9 breaches its SLA", pipeline_id="p9"
    )
    evaluate(Pass([failed("p9", T0), breach]), downstream, now=T0 + timedelta(minutes=2))
    deliver_all(T0 + timedelta(minutes=2))
    root = AlertIncident.objects.get(root__isnull=True)
    assert (root.kind, root.subject, [m.kind for m in root.members.all()]) == (
        "failed_run",
        "p9",
        ["sla_breach"],
    )
    assert [m.transition for m in _test_channels] == ["trigger"]


def test_a_symptom_outside_the_window_or_in_another_source_stands_alone(settings):
    settings.CT_ALERT_GROUP_WINDOW_S = 600
    seen = [failed("ingest", T0), failed("p1", T0 + timedelta(minutes=11)), failed("p2", T0, source="azure")]
    evaluate(Pass(seen), downstream, now=T0 + timedelta(minutes=12))
    assert AlertIncident.objects.filter(root__isnull=True).count() == 3
    assert Notification.objects.filter(transition="trigger").count() == 3


def test_a_chain_groups_under_its_most_upstream_failure():
    LINEAGE[("aws", "p1")] = {"d1", "p40"}
    try:
        evaluate(Pass([failed("p40", T0), failed("p1", T0), failed("ingest", T0)]), downstream, now=T0)
    finally:
        del LINEAGE[("aws", "p1")]
    root = AlertIncident.objects.get(root__isnull=True)
    assert root.subject == "ingest" and set(root.members.values_list("subject", flat=True)) == {"p1", "p40"}


def test_a_cleared_condition_resolves_with_a_notice_but_a_silent_source_clears_nothing(_test_channels):
    evaluate(Pass([failed("p7", T0)], {("aws", "failed_run")}), downstream, now=T0)
    evaluate(Pass([], set()), downstream, now=T0 + timedelta(minutes=1))  # aws did not answer
    assert AlertIncident.objects.get().state == State.OPEN
    counts = evaluate(Pass([], {("aws", "failed_run")}), downstream, now=T0 + timedelta(minutes=2))
    deliver_all(T0 + timedelta(minutes=2))
    incident = AlertIncident.objects.get()
    assert counts["resolved"] == 1 and incident.state == State.RESOLVED
    assert incident.resolve_reason == "A later run succeeded."
    assert [m.transition for m in _test_channels] == ["trigger", "resolve"]
