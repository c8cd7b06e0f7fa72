"""GET /api/explain/run/{run_id}: the incident action panel, from the same facts as the triage query."""

import pytest

from testsupport.triage_answers import SNOWFLAKE_DENIED, fact


def test_explain_failed_run_gives_cause_impact_actions_and_runbook(client_for, viewer, orders_incident):
    body = client_for(viewer).get("/api/explain/run/r-100").json()
    assert body["run"] == {
        "run_id": "r-100",
        "pipeline_id": "p_orders",
        "status": "FAILED",
        "start_ts": "2026-11-20T11:00:00Z",
        "end_ts": "2026-11-20T11:03:00Z",
        "duration_seconds": 180,
        "error_code": "003001",
        "error_message": SNOWFLAKE_DENIED,
    }
    assert body["runbook_url"] == "https://runbooks.example.com/orders_daily"
    assert body["evidence"]["rule"]["name"] == "permissions"
    assert body["impact_summary"] == {
        "nodes_count": 6,
        "edges_count": 5,
        "degraded": False,
        "degraded_reasons": [],
        "impact_model": "lineage_bfs_v1",
        "depth": 20,
        "max_nodes": 2000,
        "truncated": False,
        "truncated_reason": None,
    }
    assert len(body["next_actions"]) == 3
    assert (body["mode"], body["requested_mode"], body["confidence"]) == (
        "deterministic_rules_v1",
        "deterministic",
        0.9,
    )


def test_explain_and_triage_query_agree(client_for, viewer, orders_incident):
    client = client_for(viewer)
    explained = client.get("/api/explain/run/r-100").json()
    queried = client.post("/api/triage/query", {"run_id": "r-100"}, format="json").json()
    for key in ("likely_cause", "next_actions", "facts_used", "traceability", "confidence", "summary"):
        assert explained[key] == queried[key]


def test_explain_context_days_changes_the_history_window(client_for, viewer, orders_incident):
    body = client_for(viewer).get("/api/explain/run/r-100?context_days=30").json()
    assert fact(body, "history.runs_30d") == 6
    assert fact(body, "cost.total_30d_aud") == 74.5


def test_explain_successful_run_has_nothing_to_fix(client_for, viewer, telemetry, clock):
    telemetry.pipeline("p_ok", runbook_url="https://runbooks.example.com/p_ok")
    telemetry.run("p_ok", "SUCCESS", run_id="r-ok")
    body = client_for(viewer).get("/api/explain/run/r-ok").json()
    assert body["likely_cause"] == "The run succeeded: there is no failure to explain."
    assert (body["next_actions"], body["evidence"]["rule"], body["confidence"]) == ([], None, 0.9)


def test_unknown_run_is_404_with_the_envelope(client_for, viewer, warehouse):
    response = client_for(viewer).get("/api/explain/run/r-nope")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "run_id: no run 'r-nope' in this source.",
        "details": {"parameter": "run_id", "run_id": "r-nope"},
    }


@pytest.mark.django_db
def test_explain_needs_a_login_and_a_valid_window(client_for, viewer, anon_client):
    assert anon_client.get("/api/explain/run/r-100").status_code == 401
    response = client_for(viewer).get("/api/explain/run/r-100?context_days=abc")
    assert (response.status_code, response.json()["error"]["details"]["parameter"]) == (400, "context_days")


def test_run_whose_pipeline_is_not_catalogued_is_explained_degraded(client_for, viewer, telemetry, clock):
    telemetry.run("p_ghost", "FAILED", run_id="r-ghost", error_code="000630")
    body = client_for(viewer).get("/api/explain/run/r-ghost").json()
    assert body["evidence"]["rule"]["name"] == "warehouse-or-query-timeout"
    assert body["degraded"] is True
    assert body["warnings"] == ["pipeline unavailable: pipeline_id: no pipeline 'p_ghost' in this source."]
    assert body["confidence"] == 0.6  # 0.70 - 0.10 (no pipeline facts)
    assert (body["runbook_url"], body["runbook_references"], body["traceability"]["cost_facts"]) == (
        None,
        [],
        [],
    )
