"""Each pipeline's effective SLA profile (governance_app/policies.py) from assignments held in
memory, without a database or a warehouse: precedence pipeline > team > domain > recommendation,
the thresholds that follow, mismatches, exception states and SLA pressure on its boundary."""

from datetime import UTC, datetime, timedelta

import pytest

from governance_app.models import PolicyAssignment
from governance_app.policies import PROFILES, effective_policy, policy_summary
from governance_app.resolution import ActiveAssignments

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PIPELINE = {
    "pipeline_id": "p1",
    "pipeline_name": "orders",
    "team": "sales",
    "domain": "commerce",
    "criticality": "critical",  # recommended: strict
    "freshness_sla_minutes": 90,
    "max_duration_minutes": 45,
}


def assigned(scope: str, target: str, profile: str, **exception) -> PolicyAssignment:
    return PolicyAssignment(scope=scope, target_id=target, profile=profile, **exception)


def effective(*rows: PolicyAssignment, evidence: dict | None = None, pipeline: dict = PIPELINE) -> dict:
    return effective_policy(pipeline, ActiveAssignments(PolicyAssignment, rows=rows), NOW, evidence)


@pytest.mark.parametrize(
    "rows, profile, scope",
    [
        ([], "strict", None),  # nothing assigned: the recommendation
        ([("domain", "commerce", "relaxed")], "relaxed", "domain"),
        ([("domain", "commerce", "relaxed"), ("team", "sales", "balanced")], "balanced", "team"),
        (
            [("domain", "commerce", "relaxed"), ("team", "sales", "balanced"), ("pipeline", "p1", "strict")],
            "strict",
            "pipeline",
        ),
        ([("team", "other", "relaxed"), ("pipeline", "p2", "relaxed")], "strict", None),  # not this one's
    ],
)
def test_precedence_pipeline_over_team_over_domain_over_recommendation(rows, profile, scope):
    item = effective(*(assigned(*r) for r in rows))
    assert (item["effective_profile"], item["assigned_scope"]) == (profile, scope)


def test_without_an_assignment_the_pipeline_keeps_its_own_columns():
    item = effective()
    assert item["thresholds"] == {
        "freshness_sla_minutes": 90,
        "max_duration_minutes": 45,
        "max_breach_ratio": 0.1,
    }
    assert (item["thresholds_source"], item["mismatch"], item["exception_state"]) == (
        "pipeline",
        False,
        "none",
    )


def test_an_assigned_profile_brings_its_thresholds_and_a_mismatch_is_unmanaged():
    item = effective(assigned("team", "sales", "relaxed"))
    assert item["thresholds"] == PROFILES["relaxed"].limits()
    assert item["thresholds_source"] == "relaxed"
    assert (item["recommended_profile"], item["mismatch"], item["exception_state"]) == (
        "strict",
        True,
        "unmanaged",
    )


def test_assigning_the_recommended_profile_is_no_mismatch():
    item = effective(assigned("pipeline", "p1", "strict"))
    assert (item["mismatch"], item["exception_state"]) == (False, "none")


@pytest.mark.parametrize(
    "status, expires, state",
    [
        ("approved", NOW + timedelta(days=1), "approved"),
        ("approved", NOW, "expired"),  # expiring now is expired
        ("rejected", None, "rejected"),
        ("proposed", None, "unmanaged"),  # not reviewed yet: still an unmanaged deviation
    ],
)
def test_exception_states_of_a_deviation(status, expires, state):
    row = assigned(
        "pipeline", "p1", "relaxed", is_exception=True, exception_status=status, exception_expires_at=expires
    )
    assert effective(row)["exception_state"] == state


@pytest.mark.parametrize("ratio, pressure", [(None, False), (0.02, False), (0.0201, True)])
def test_sla_pressure_is_a_breach_ratio_over_the_effective_limit(ratio, pressure):
    item = effective(assigned("pipeline", "p1", "strict"), evidence={"runs": 50, "breach_ratio": ratio})
    assert (item["runs_7d"], item["breach_ratio_7d"], item["sla_pressure"]) == (50, ratio, pressure)


@pytest.mark.parametrize(
    "criticality, profile", [("CRITICAL", "strict"), (None, "balanced"), ("urgent", "balanced")]
)
def test_recommendation_ignores_case_and_unknown_criticality_is_balanced(criticality, profile):
    assert effective(pipeline={**PIPELINE, "criticality": criticality})["recommended_profile"] == profile


def test_summary_counts_what_the_list_shows():
    rows = [
        assigned("pipeline", "a", "relaxed"),  # mismatch, unmanaged
        assigned("pipeline", "b", "relaxed", is_exception=True, exception_status="proposed"),
        assigned(
            "pipeline",
            "c",
            "relaxed",
            is_exception=True,
            exception_status="approved",
            exception_expires_at=NOW + timedelta(days=3),
        ),
    ]
    assignments = ActiveAssignments(PolicyAssignment, rows=rows)
    items = [
        effective_policy({**PIPELINE, "pipeline_id": pid}, assignments, NOW, evidence)
        for pid, evidence in [("a", None), ("b", {"breach_ratio": 0.5}), ("c", None), ("d", None)]
    ]
    summary = policy_summary(items)
    assert summary == {
        "pipelines": 4,
        "assigned": 3,
        "mismatches": 3,
        "sla_pressure": 1,
        "unmanaged_exception_count": 2,
        "approved_exception_count": 1,
        "expired_exception_count": 0,
        "rejected_exception_count": 0,
        "proposed_exception_count": 1,
        "by_effective_profile": {"strict": 1, "balanced": 0, "relaxed": 3},
    }
