# ruff: noqa: E501  (test data: one record per line reads better than wrapped)
"""Governance figures across sources: ratios, scores and grades from merged counts, never null."""

from aggregate_app.merge import POSTURE, RUNBOOKS, SCORECARDS, Page
from governance_app.scorecards import card


def inputs(pipelines, *, failures=0, aligned=None, configured=0, owned=None, breached=0, finished=0):
    return {
        "pipelines": pipelines, "dq_failures": failures, "policy_aligned": pipelines if aligned is None else aligned,
        "policy_mismatches": 0, "unmanaged_exceptions": 0, "runbooks_configured": configured,
        "owned": pipelines if owned is None else owned, "anomaly_count": 0, "breached_runs": breached,
        "finished_runs": finished, "previous_breached_runs": 0, "previous_finished_runs": finished,
    }  # fmt: skip


def posture(name, score_inputs, configured, total, breaches, runs):
    c = card("(all)", score_inputs)
    return {
        "pipelines": score_inputs["pipelines"], "posture_score": c["score"], "grade": c["grade"],
        "ownership_ratio": c["ownership_ratio"], "score_inputs": score_inputs,
        "runbooks": {"total": total, "configured": configured, "coverage_ratio": round(configured / total, 4)},
        "sla": {"runs_7d": runs, "breaches_7d": breaches, "previous_runs_7d": runs, "previous_breaches_7d": 0,
                "breach_ratio_7d": round(breaches / runs, 4), "previous_breach_ratio_7d": 0.0, "trend": "up"},
    }  # fmt: skip


def test_posture_score_grade_and_ratios_come_from_the_merged_counts():
    aws = posture("aws", inputs(10, configured=9, breached=1, finished=100), 9, 10, 1, 100)
    azure = posture("azure", inputs(30, configured=6, failures=12, breached=20, finished=100), 6, 30, 20, 100)
    body = POSTURE.merge({"aws": aws, "azure": azure}, None)
    expected = card("(all)", inputs(40, configured=15, failures=12, breached=21, finished=200))
    assert aws["posture_score"] != azure["posture_score"]  # the sources differ...
    assert (
        body["posture_score"] == expected["score"] and body["grade"] == expected["grade"]
    )  # ...and it adds up
    assert body["runbooks"]["coverage_ratio"] == 0.375  # 15 of 40, not the mean of 0.9 and 0.2
    assert body["sla"]["breach_ratio_7d"] == 0.105 and body["sla"]["trend"] == "up"
    assert body["by_source"]["aws"]["posture_score"] == aws["posture_score"]


def test_a_team_in_two_sources_is_one_card_scored_from_both():
    sales_aws = {**card("sales", inputs(4, configured=4)), "team": "sales"}
    sales_azure = {**card("sales", inputs(4, configured=0, failures=4)), "team": "sales"}
    ore = {**card("ore", inputs(2, configured=2)), "team": "ore"}
    answers = {"aws": {"items": [sales_aws, ore]}, "azure": {"items": [sales_azure]}}
    body = SCORECARDS.merge(answers, Page(0, 50))
    by_team = {c["team"]: c for c in body["items"]}
    assert body["total"] == 2 and by_team["sales"]["sources"] == ["aws", "azure"]
    assert by_team["sales"]["score"] == card("sales", inputs(8, configured=4, failures=4))["score"]
    assert by_team["sales"]["runbook_coverage"] == 0.5 and by_team["sales"]["dq_failures"] == 4
    assert body["average_score"] == round((by_team["sales"]["score"] + by_team["ore"]["score"]) / 2, 1)
    assert [c["team"] for c in body["items"]] == ["sales", "ore"]  # worst first


def test_runbook_coverage_is_recomputed_from_merged_counts():
    aws = {
        "items": [{"pipeline_id": "p1"}],
        "total": 1,
        "coverage": {"total": 10, "configured": 9, "coverage_ratio": 0.9},
    }
    azure = {"items": [], "total": 0, "coverage": {"total": 30, "configured": 6, "coverage_ratio": 0.2}}
    body = RUNBOOKS.merge({"aws": aws, "azure": azure}, Page(0, 50))
    assert body["coverage"]["coverage_ratio"] == 0.375 and body["coverage"]["total"] == 40
