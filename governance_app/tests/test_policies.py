"""Effective SLA policy: pipeline > team > domain > recommendation from criticality, with the
mismatch flag and the exception state each pipeline is in."""

from datetime import UTC, timedelta

import pytest
import time_machine

from governance_app import actions, policies
from governance_app.kinds import POLICY

from .conftest import NOW

pytestmark = pytest.mark.django_db
NOW_UTC = NOW.replace(tzinfo=UTC)


def by_id(response) -> dict:
    return {i["pipeline_id"]: i for i in response.json()["items"]}


@pytest.mark.parametrize(
    "criticality, profile",
    [
        ("critical", "strict"),
        ("high", "balanced"),
        ("medium", "relaxed"),
        ("low", "relaxed"),
        (None, "balanced"),
        ("CRITICAL", "strict"),
        ("weird", "balanced"),
    ],
)
def test_recommended_profile_from_criticality(criticality, profile):
    assert policies.recommended_profile(criticality) == profile


def test_precedence_pipeline_over_team_over_domain_over_default(telemetry, at_now, viewer, client_for):
    telemetry.pipeline("p_pipe", team="payments", domain="finance", criticality="critical")
    telemetry.pipeline("p_team", team="payments", domain="finance", criticality="critical")
    telemetry.pipeline("p_domain", team="ledger", domain="finance", criticality="critical")
    telemetry.pipeline("p_default", team="ledger", domain="marketing", criticality="critical")
    actions.assign(POLICY, "domain", "finance", {"profile": "balanced"}, actor="gina")
    actions.assign(POLICY, "team", "payments", {"profile": "relaxed"}, actor="gina")
    actions.assign(POLICY, "pipeline", "p_pipe", {"profile": "strict"}, actor="gina")

    items = by_id(client_for(viewer).get("/api/policies/effective"))

    assert {k: (v["effective_profile"], v["assigned_scope"]) for k, v in items.items()} == {
        "p_pipe": ("strict", "pipeline"),
        "p_team": ("relaxed", "team"),
        "p_domain": ("balanced", "domain"),
        "p_default": ("strict", None),
    }
    assert {k: v["mismatch"] for k, v in items.items()} == {
        "p_pipe": False,
        "p_team": True,
        "p_domain": True,
        "p_default": False,
    }
    assert items["p_team"]["thresholds"] == {
        "freshness_sla_minutes": 1440,
        "max_duration_minutes": 360,
        "max_breach_ratio": 0.15,
    }
    assert items["p_default"]["thresholds_source"] == "pipeline"
    assert items["p_default"]["thresholds"]["freshness_sla_minutes"] == 120  # the pipeline's own column


def test_removing_the_pipeline_assignment_falls_back_to_the_team(telemetry, at_now, viewer, client_for):
    telemetry.pipeline("p1", team="payments", criticality="high")
    actions.assign(POLICY, "team", "payments", {"profile": "relaxed"}, actor="gina")
    actions.assign(POLICY, "pipeline", "p1", {"profile": "strict"}, actor="gina")
    actions.remove(POLICY, "pipeline", "p1", actor="gina")
    item = by_id(client_for(viewer).get("/api/policies/effective"))["p1"]
    assert (item["effective_profile"], item["assigned_scope"]) == ("relaxed", "team")


def test_exception_states_and_summary_counts(telemetry, viewer, client_for):
    for pid in ("p_unmanaged", "p_approved", "p_expired", "p_rejected", "p_proposed", "p_none"):
        telemetry.pipeline(pid, team=pid, criticality="critical")
    with time_machine.travel(NOW_UTC - timedelta(days=10), tick=False):
        actions.assign(POLICY, "pipeline", "p_unmanaged", {"profile": "relaxed"}, actor="gina")
        for pid, days in (("p_approved", 30), ("p_expired", 5), ("p_rejected", 30), ("p_proposed", 30)):
            actions.propose_exception(
                POLICY,
                "pipeline",
                pid,
                values={"profile": "relaxed"},
                actor="gina",
                reason="r",
                expires_at=NOW_UTC + timedelta(days=days - 10),
            )
        actions.review_exception(POLICY, "pipeline", "p_approved", "approve", actor="gus")
        actions.review_exception(POLICY, "pipeline", "p_expired", "approve", actor="gus")
        actions.review_exception(POLICY, "pipeline", "p_rejected", "reject", actor="gus")
    with time_machine.travel(NOW_UTC, tick=False):
        body = client_for(viewer).get("/api/policies/effective").json()
    states = {i["pipeline_id"]: i["exception_state"] for i in body["items"]}
    assert states == {
        "p_unmanaged": "unmanaged",
        "p_approved": "approved",
        "p_expired": "expired",
        "p_rejected": "rejected",
        "p_proposed": "unmanaged",
        "p_none": "none",
    }
    summary = body["summary"]
    assert (
        summary["unmanaged_exception_count"],
        summary["approved_exception_count"],
        summary["expired_exception_count"],
        summary["rejected_exception_count"],
        summary["proposed_exception_count"],
    ) == (2, 1, 1, 1, 1)
    assert summary["mismatches"] == 5 and summary["pipelines"] == 6


def test_effective_filters_and_bad_filter_values(telemetry, at_now, viewer, client_for):
    telemetry.pipeline("p1", team="a", criticality="critical")
    telemetry.pipeline("p2", team="b", criticality="critical")
    actions.assign(POLICY, "pipeline", "p2", {"profile": "relaxed"}, actor="gina")
    client = client_for(viewer)
    assert [
        i["pipeline_id"] for i in client.get("/api/policies/effective?mismatch=true").json()["items"]
    ] == ["p2"]
    assert [i["pipeline_id"] for i in client.get("/api/policies/effective?team=a").json()["items"]] == ["p1"]
    bad = client.get("/api/policies/effective?exception_state=maybe")
    assert bad.status_code == 400 and bad.json()["error"]["details"]["parameter"] == "exception_state"
    assert client.get("/api/policies/effective?mismatch=perhaps").status_code == 400


def test_breach_ratio_uses_the_assigned_profile_duration(telemetry, at_now, viewer, client_for):
    telemetry.pipeline("p1", team="t", criticality="low", max_duration_minutes=30)
    for minutes in (10, 45, 45, 200):
        telemetry.run("p1", "SUCCESS", minutes=minutes, ago=timedelta(hours=5))
    client = client_for(viewer)
    own = by_id(client.get("/api/policies/effective"))["p1"]
    assert (own["runs_7d"], own["breach_ratio_7d"]) == (4, 0.75)  # 3 of 4 runs over the pipeline's 30 min
    actions.assign(POLICY, "pipeline", "p1", {"profile": "balanced"}, actor="gina")  # 120 min
    assigned = by_id(client.get("/api/policies/effective"))["p1"]
    assert assigned["breach_ratio_7d"] == 0.25 and assigned["sla_pressure"] is True
