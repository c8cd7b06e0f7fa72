"""Scorecards, posture, trend, the executive report and the export bundle over a small estate
whose every number is worked out here."""

import csv
import io
import re
from datetime import UTC, date, timedelta

import pytest
import time_machine

from governance_app import actions
from governance_app.kinds import POLICY
from governance_app.scorecards import SCORECARD_COLUMNS
from pipelines_app.warehouse import reset_warehouse

from .conftest import NOW

pytestmark = pytest.mark.django_db
NOW_UTC = NOW.replace(tzinfo=UTC)


@pytest.fixture
def scorecard_estate(telemetry):
    """payments: p1 (critical, healthy, a cost anomaly) and p2 (critical, no runbook, no owner,
    relaxed without an exception, 2 of 4 runs failed this week); ledger: p3 (low, healthy)."""
    t = telemetry
    t.pipeline("p1", team="payments", domain="finance", criticality="critical", runbook_url="https://rb/p1")
    t.pipeline("p2", team="payments", domain="finance", criticality="critical", runbook_url=None, owner="")
    t.pipeline("p3", team="ledger", domain="finance", criticality="low", runbook_url="https://rb/p3")
    for _ in range(4):
        t.run("p1", "SUCCESS", ago=timedelta(days=1))
    for status in ("FAILED", "FAILED", "SUCCESS", "SUCCESS"):
        t.run("p2", status, ago=timedelta(days=1))
        t.run("p2", "SUCCESS", ago=timedelta(days=10))
    for _ in range(2):
        t.run("p3", "SUCCESS", ago=timedelta(days=2))
    for day in range(1, 14):
        t.cost("p1", date(2026, 11, day), 10.0)
    t.cost("p1", date(2026, 11, 18), 10.0)
    t.cost("p1", date(2026, 11, 19), 50.0)
    with time_machine.travel(NOW_UTC - timedelta(days=2), tick=False):
        actions.assign(POLICY, "pipeline", "p2", {"profile": "relaxed"}, actor="gina", reason="noisy")
    return t


def at_now():
    return time_machine.travel(NOW_UTC, tick=False)


def test_team_scorecards(scorecard_estate, viewer, client_for):
    with at_now():
        body = client_for(viewer).get("/api/scorecards/teams").json()
    cards = {c["team"]: c for c in body["items"]}
    assert [c["team"] for c in body["items"]] == ["payments", "ledger"]  # worst first
    pay = cards["payments"]
    assert {
        k: pay[k]
        for k in ("pipelines", "dq_failures", "policy_mismatches", "unmanaged_exceptions", "anomaly_count")
    } == {
        "pipelines": 2,
        "dq_failures": 1,
        "policy_mismatches": 1,
        "unmanaged_exceptions": 1,
        "anomaly_count": 1,
    }
    assert (pay["runbook_coverage"], pay["ownership_ratio"], pay["dq_pass_ratio"]) == (0.5, 0.5, 0.5)
    assert (pay["breach_ratio"], pay["previous_breach_ratio"], pay["sla_pressure_trend"]) == (0.25, 0.0, "up")
    # 100 x (0.3*0.5 + 0.2*0.5 + 0.2*0.5 + 0.15*0.5 + 0.15*0) - 2 x 1 anomaly
    assert (pay["score"], pay["grade"]) == (40.5, "D")
    assert (cards["ledger"]["score"], cards["ledger"]["grade"], cards["ledger"]["sla_pressure_trend"]) == (
        100.0,
        "A",
        None,
    )
    assert body["average_score"] == 70.2


def test_scorecard_export_csv_and_json(scorecard_estate, viewer, client_for):
    client = client_for(viewer)
    with at_now():
        as_csv = client.get("/api/scorecards/teams/export?export_format=csv")
        as_json = client.get("/api/scorecards/teams/export").json()
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert as_csv["Content-Type"].startswith("text/csv") and list(rows[0]) == SCORECARD_COLUMNS
    assert [(r["team"], r["score"], r["grade"], r["sla_pressure_trend"]) for r in rows] == [
        ("payments", "40.5", "D", "up"),
        ("ledger", "100.0", "A", ""),
    ]
    assert as_json["columns"] == SCORECARD_COLUMNS and as_json["total"] == 2
    assert set(as_json["items"][0]) == set(SCORECARD_COLUMNS)


def test_posture_snapshot(scorecard_estate, viewer, client_for):
    with at_now():
        body = client_for(viewer).get("/api/governance/posture").json()
    assert body["pipelines"] == 3
    assert body["policy"]["mismatches"] == 1 and body["policy"]["unmanaged_exception_count"] == 1
    assert body["dq"]["failing"] == 1 and body["runbooks"]["coverage_ratio"] == 0.6667
    assert body["sla"] == {
        "runs_7d": 10,
        "breaches_7d": 2,
        "previous_runs_7d": 4,
        "previous_breaches_7d": 0,
        "breach_ratio_7d": 0.2,
        "previous_breach_ratio_7d": 0.0,
        "trend": "up",
    }
    assert body["cost_anomalies_7d"] == 1 and body["posture_score"] is not None
    assert body["score_inputs"]["pipelines"] == 3 and body["score_inputs"]["runbooks_configured"] == 2


def test_posture_trend_replays_history(scorecard_estate, viewer, client_for):
    with time_machine.travel(NOW_UTC - timedelta(days=1), tick=False):
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p2",
            actor="gina",
            reason="migration",
            expires_at=NOW_UTC + timedelta(days=30),
        )
        actions.review_exception(POLICY, "pipeline", "p2", "approve", actor="gus")
    with at_now():
        body = client_for(viewer).get("/api/governance/posture/trend?days=4").json()
    points = {p["date"]: p for p in body["items"]}
    assert list(points) == ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    before, assigned, approved = points["2026-11-17"], points["2026-11-18"], points["2026-11-19"]
    assert (before["policy_assignments"], before["unmanaged_exceptions"], before["governance_changes"]) == (
        0,
        0,
        0,
    )
    assert (
        assigned["policy_assignments"],
        assigned["unmanaged_exceptions"],
        assigned["policy_mismatches"],
    ) == (1, 1, 1)
    assert (
        approved["approved_exceptions"],
        approved["unmanaged_exceptions"],
        approved["governance_changes"],
    ) == (1, 0, 2)
    assert (approved["runs"], approved["failures"], approved["breaches"]) == (8, 2, 2)
    assert points["2026-11-18"]["runs"] == 2
    assert client_for(viewer).get("/api/governance/posture/trend?days=0").status_code == 400


def test_posture_trend_judges_team_assignments_for_each_pipeline(scorecard_estate, viewer, client_for):
    scorecard_estate.pipeline("p4", team="ledger", domain="finance", criticality="low")
    scorecard_estate.pipeline("p5", team="ledger", domain="finance", criticality="critical")
    with time_machine.travel(NOW_UTC - timedelta(days=1), tick=False):
        actions.assign(POLICY, "team", "ledger", {"profile": "strict"}, actor="gina", reason="audit")
    with at_now():
        points = client_for(viewer).get("/api/governance/posture/trend?days=3").json()["items"]
    # p2's own relaxed (critical: strict recommended) from day one; p3 and p4 (low) under ledger's
    # strict from the day before; p5 (critical) is aligned with it
    assert [(p["policy_mismatches"], p["unmanaged_exceptions"]) for p in points] == [(1, 1), (3, 3), (3, 3)]


def test_posture_trend_works_from_day_one(telemetry, viewer, client_for):
    telemetry.pipeline("p1")
    telemetry.run("p1", "FAILED", ago=timedelta(hours=2))
    with at_now():
        points = client_for(viewer).get("/api/governance/posture/trend?days=2").json()["items"]
    assert [(p["runs"], p["failures"], p["policy_assignments"]) for p in points] == [(0, 0, 0), (1, 1, 0)]


def test_executive_report_json_and_printable_html(scorecard_estate, viewer, client_for):
    client = client_for(viewer)
    with at_now():
        report = client.get("/api/governance/report/executive?days=7").json()
        page = client.get("/api/governance/report/executive?view=html")
    assert report["headline"]["pipelines"] == 3 and report["headline"]["unmanaged_exceptions"] == 1
    kinds = {(r["kind"], r["subject"]) for r in report["top_risks"]}
    assert {
        ("critical_pipeline_failing_dq", "p2"),
        ("unmanaged_policy_exception", "p2"),
        ("low_team_score", "payments"),
    } <= kinds
    assert report["changes_since_last_period"]["current"]["policy"] == 1
    assert report["changes_since_last_period"]["delta"]["policy"] == 1
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "Top risks" in html and "critical_pipeline_failing_dq" in html and "payments" in html
    # its inline styles are allowed by this response's CSP nonce, and by nothing broader
    nonce = re.search(r"style-src 'self' 'nonce-([^' ]+)'(;|$)", page["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in html
    assert client.get("/api/governance/report/executive?view=pdf").status_code == 400


def test_export_bundle_holds_everything_an_auditor_asks_for(scorecard_estate, viewer, client_for):
    with at_now():
        actions.upsert_runbook_governance("p2", actor="otto", state="open")
        response = client_for(viewer).get("/api/governance/export/bundle")
    body = response.json()
    assert "attachment" in response["Content-Disposition"] and body["degraded"] is False
    assert [a["target_id"] for a in body["policy_assignments"]] == ["p2"]
    assert [e["action"] for e in body["history"]["policy"]] == ["assign"]
    assert [e["action"] for e in body["history"]["runbook"]] == ["assign"]
    assert {s["team"] for s in body["scorecards"]} == {"payments", "ledger"}
    assert (
        body["posture"]["pipelines"] == 3
        and len(body["effective_policies"]) == 3
        and len(body["dq_effective"]) == 3
    )


def test_export_bundle_without_a_warehouse_is_degraded_not_broken(settings, viewer, client_for):
    reset_warehouse()
    settings.CT_WAREHOUSE_BACKEND = "none"
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina")
    try:
        body = client_for(viewer).get("/api/governance/export/bundle").json()
        posture = client_for(viewer).get("/api/governance/posture")
    finally:
        reset_warehouse()
    assert body["degraded"] is True and "CT_WAREHOUSE_BACKEND" in body["telemetry_error"]
    assert [a["target_id"] for a in body["policy_assignments"]] == ["payments"] and body["posture"] is None
    assert posture.status_code == 503 and posture.json()["error"]["code"] == "database_unavailable"
