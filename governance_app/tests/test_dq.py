"""DQ verdicts (governance_app/dq.py) from standards held in memory, without a database or a
warehouse: each standard resolved value by value over the baseline, pass/fail on the thresholds'
edges, and what an approved, expired or operator waiver changes."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from governance_app.dq import BASELINE, dq_summary, evaluate, resolve_standards
from governance_app.models import DQStandard, PolicyAssignment, RunbookGovernance
from governance_app.resolution import ActiveAssignments

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PIPELINE = {
    "pipeline_id": "p1",
    "team": "sales",
    "domain": "commerce",
    "criticality": "high",
    "runbook_url": "https://runbooks.example.com/p1",
}


def standard(scope: str, target: str, **values) -> DQStandard:
    return DQStandard(scope=scope, target_id=target, **values)


def verdict(*standards: DQStandard, evidence=None, pipeline=PIPELINE, runbooks=None) -> dict:
    ctx = SimpleNamespace(
        now=NOW,
        standards=ActiveAssignments(DQStandard, rows=standards),
        policies=ActiveAssignments(PolicyAssignment, rows=[]),
        runbooks=runbooks or {},
    )
    return evaluate(pipeline, evidence, ctx)


def checks(item: dict) -> dict:
    return {c["standard"]: c["status"] for c in item["checks"]}


def test_each_value_comes_from_the_most_specific_standard_that_sets_it():
    chain = [
        standard("pipeline", "p1", max_failures_7d=0),
        standard("team", "sales", max_failures_7d=9, max_breach_ratio=0.2),
        standard("domain", "commerce", max_breach_ratio=0.5, runbook_required=False),
    ]
    values, sources = resolve_standards(chain)
    assert values == {"runbook_required": False, "max_breach_ratio": 0.2, "max_failures_7d": 0}
    assert sources == {
        "runbook_required": "domain:commerce",
        "max_breach_ratio": "team:sales",
        "max_failures_7d": "pipeline:p1",
    }
    assert resolve_standards([]) == (BASELINE, dict.fromkeys(BASELINE, "baseline"))


@pytest.mark.parametrize(
    "failures, ratio, expected",
    [
        (3, 0.10, {"max_failures_7d": "pass", "max_breach_ratio": "pass"}),  # the baseline's limits
        (4, 0.10, {"max_failures_7d": "fail", "max_breach_ratio": "pass"}),
        (3, 0.1001, {"max_failures_7d": "pass", "max_breach_ratio": "fail"}),
        (0, None, {"max_failures_7d": "pass", "max_breach_ratio": "pass"}),  # no runs: nothing breached
    ],
)
def test_thresholds_pass_at_their_limit_and_fail_past_it(failures, ratio, expected):
    item = verdict(evidence={"runs": 20, "failures": failures, "breach_ratio": ratio})
    assert {k: v for k, v in checks(item).items() if k != "runbook_required"} == expected
    assert item["status"] == ("fail" if "fail" in expected.values() else "pass")


@pytest.mark.parametrize(
    "url, required, status",
    [
        ("https://runbooks.example.com/p1", True, "pass"),
        (None, True, "fail"),
        ("wiki/p1", True, "fail"),  # not a web URL
        (None, False, "pass"),
    ],
)
def test_runbook_required(url, required, status):
    item = verdict(
        standard("team", "sales", runbook_required=required), pipeline={**PIPELINE, "runbook_url": url}
    )
    assert checks(item)["runbook_required"] == status


def test_an_operator_waiving_the_runbook_changes_no_verdict():
    waived = RunbookGovernance(pipeline_id="p1", state="waived")
    item = verdict(pipeline={**PIPELINE, "runbook_url": ""}, runbooks={"p1": waived})
    assert checks(item)["runbook_required"] == "fail"
    assert item["evidence"]["runbook_governance_state"] == "waived"


def exception(scope: str, target: str, expires: datetime, **values) -> DQStandard:
    return standard(
        scope,
        target,
        is_exception=True,
        exception_status="approved",
        exception_expires_at=expires,
        **values,
    )


def test_an_approved_exception_waives_failing_checks_and_passing_ones_stay_passed():
    item = verdict(
        exception("pipeline", "p1", NOW + timedelta(days=1), max_failures_7d=1),
        evidence={"runs": 10, "failures": 2, "breach_ratio": 0.0},
    )
    assert checks(item) == {
        "runbook_required": "pass",
        "max_failures_7d": "waived",
        "max_breach_ratio": "pass",
    }
    assert (item["status"], item["failing_standards"], item["remediation_suggestions"]) == ("waived", [], [])
    assert (item["exception_scope"], item["exception_status"]) == ("pipeline:p1", "approved")


def test_an_expired_exception_no_longer_waives():
    item = verdict(exception("team", "sales", NOW, max_failures_7d=1), evidence={"runs": 10, "failures": 2})
    assert (checks(item)["max_failures_7d"], item["status"], item["exception_status"]) == (
        "fail",
        "fail",
        "expired",
    )
    assert item["failing_standards"] == ["max_failures_7d"]
    assert item["remediation_suggestions"][0].startswith("2 failed runs in 7 days exceed 1")


def test_the_most_specific_exception_decides():
    item = verdict(
        standard("pipeline", "p1", max_failures_7d=0, is_exception=True, exception_status="rejected"),
        exception("team", "sales", NOW + timedelta(days=1)),
        evidence={"runs": 10, "failures": 1},
    )
    assert (item["status"], item["exception_scope"], item["exception_status"]) == (
        "fail",
        "pipeline:p1",
        "rejected",
    )


def test_summary_counts_failing_pipelines_by_team_domain_profile_and_standard():
    items = [
        verdict(pipeline={**PIPELINE, "pipeline_id": "a"}, evidence={"failures": 9}),
        verdict(
            pipeline={**PIPELINE, "pipeline_id": "b", "team": None, "runbook_url": ""},
            evidence={"failures": 9},
        ),
        verdict(pipeline={**PIPELINE, "pipeline_id": "c"}),
        verdict(
            exception("pipeline", "d", NOW + timedelta(days=1)),
            pipeline={**PIPELINE, "pipeline_id": "d"},
            evidence={"failures": 9},
        ),
    ]
    assert dq_summary(items) == {
        "pipelines": 4,
        "passing": 1,
        "failing": 2,
        "waived": 1,
        "failing_by_team": {"sales": 1, "unknown": 1},
        "failing_by_domain": {"commerce": 2},
        "failing_by_profile": {"balanced": 2},
        "failing_standards_counts": {"runbook_required": 1, "max_breach_ratio": 0, "max_failures_7d": 2},
    }
