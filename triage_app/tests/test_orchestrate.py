"""POST /api/triage/query: the contract, the facts behind every statement, confidence, validation,
roles — on telemetry built here (DuckDB and the Snowflake path)."""

import pytest

from pipelines_app import impact
from testsupport.triage_answers import SNOWFLAKE_DENIED, fact, fact_id
from testsupport.warehouse import duckdb_only
from triage_app.context import TriageRequest
from triage_app.orchestrate import triage

URL = "/api/triage/query"
CONTRACT = {
    "summary",
    "likely_cause",
    "impacted_consumers",
    "impact_summary",
    "next_actions",
    "runbook_references",
    "degraded",
    "warnings",
    "confidence",
    "confidence_reason",
    "mode",
    "requested_mode",
    "facts_used",
    "traceability",
    "evidence",
    "generated_at",
    "triage_hints",
}


@pytest.fixture
def ask(client_for, viewer):
    client = client_for(viewer)

    def post(body: dict, status: int = 200) -> dict:
        response = client.post(URL, body, format="json")
        assert response.status_code == status, response.content
        return response.json()

    return post


def test_failed_run_answer_has_exactly_the_contract_fields(ask, orders_incident):
    body = ask({"run_id": "r-100", "source": "aws"})
    assert set(body) == CONTRACT
    assert set(body["impact_summary"]) == {
        "nodes_count",
        "edges_count",
        "degraded",
        "degraded_reasons",
        "impact_model",
        "depth",
        "max_nodes",
        "truncated",
        "truncated_reason",
    }
    assert set(body["traceability"]) == {
        "telemetry_facts",
        "runbook_facts",
        "impact_facts",
        "cost_facts",
        "evidence_links",
    }
    assert all(set(f) == {"id", "field", "value", "source"} for f in body["facts_used"])
    assert (body["mode"], body["requested_mode"], body["degraded"], body["warnings"]) == (
        "deterministic_rules_v1",
        "deterministic",
        False,
        [],
    )
    assert body["generated_at"] == "2026-11-20T12:00:00Z"


def test_likely_cause_next_actions_and_confidence_come_from_the_matched_rule(ask, orders_incident):
    body = ask({"run_id": "r-100"})
    rule = body["evidence"]["rule"]
    assert (rule["name"], rule["category"], body["evidence"]["matched_on"]) == (
        "permissions",
        "permissions",
        ["error_code", "error_message"],
    )
    assert body["likely_cause"].startswith("The pipeline's identity lacks a privilege")
    assert body["next_actions"][0].startswith("Find the identity the run used")
    assert body["confidence"] == 0.9
    assert body["confidence_reason"] == (
        "rule 'permissions' matched on error_code and error_message, base 0.85; "
        "code and message both matched +0.05; facts complete."
    )
    assert body["evidence"]["signal"]["systems"] == ["dbt", "snowflake"]
    assert body["summary"] == (
        "Run r-100 of orders_daily (critical) is FAILED with 003001. Likely cause (permissions): "
        f"{body['likely_cause']} 3 downstream consumer(s) affected, 2 critical or high."
    )
    assert body["triage_hints"][0] == f"permissions: {body['likely_cause']}"
    assert body["triage_hints"][-1] == "Runbook: Access and grants"


def test_telemetry_facts_carry_the_run_pipeline_and_history_values(ask, orders_incident):
    body = ask({"run_id": "r-100", "context_days": 7})
    expected = {
        "run.run_id": "r-100",
        "run.status": "FAILED",
        "run.start_ts": "2026-11-20T11:00:00Z",
        "run.end_ts": "2026-11-20T11:03:00Z",
        "run.duration_seconds": 180,
        "run.attempt": 1,
        "error.code": "003001",
        "error.message": SNOWFLAKE_DENIED,
        "pipeline.pipeline_id": "p_orders",
        "pipeline.pipeline_name": "orders_daily",
        "pipeline.team": "commerce",
        "pipeline.owner": "orders-team@example.com",
        "pipeline.criticality": "critical",
        "pipeline.platform": "dbt",
        "history.runs_7d": 5,
        "history.failures_7d": 2,
        "history.same_error_code_failures_7d": 2,
        "history.last_success_end_ts": "2026-11-19T12:10:00Z",
    }
    assert {k: fact(body, k) for k in expected} == expected
    sources = {f["field"]: f["source"] for f in body["traceability"]["telemetry_facts"]}
    assert sources["error.message"] == "telemetry:PIPELINE_RUNS"
    assert sources["pipeline.team"] == "telemetry:PIPELINES"


def test_impact_runbook_and_cost_facts_hold_the_values_read(ask, orders_incident):
    body = ask({"run_id": "r-100"})
    tr = body["traceability"]
    assert {f["field"]: f["value"] for f in tr["impact_facts"]} == {
        "impact.nodes_count": 6,
        "impact.edges_count": 5,
        "impact.impacted_consumers_count": 3,
        "impact.critical_consumers": ["Executive sales", "Demand forecast"],
        "impact.degraded": False,
        "impact.impact_model": "lineage_bfs_v1",
    }
    assert {f["field"]: f["value"] for f in tr["runbook_facts"]} == {
        "runbook.url": "https://runbooks.example.com/orders_daily",
        "runbook.status": "configured",
        "runbook.governance_state": "in_progress",
        "runbook.governance_owner": "dana@example.com",
    }
    assert {f["field"]: f["value"] for f in tr["cost_facts"]} == {
        "cost.run_cost_aud": 4.5,
        "cost.run_credits_used": 1.125,
        "cost.total_7d_aud": 74.5,
        "cost.daily_avg_7d_aud": 10.64,
        "cost.cost_24h_aud": 14.5,
    }
    grouped = tr["telemetry_facts"] + tr["runbook_facts"] + tr["impact_facts"] + tr["cost_facts"]
    assert sorted(grouped, key=lambda f: f["id"]) == sorted(body["facts_used"], key=lambda f: f["id"])
    assert [f["id"] for f in tr["impact_facts"]] == ["I1", "I2", "I3", "I4", "I5", "I6"]


def test_evidence_links_point_at_the_resources_each_fact_came_from(ask, orders_incident):
    body = ask({"run_id": "r-100"})
    links = {link["rel"]: link for link in body["traceability"]["evidence_links"]}
    assert {rel: link["href"] for rel, link in links.items()} == {
        "pipeline_runs": "/api/pipelines/p_orders/runs",
        "pipeline": "/api/pipelines?search=p_orders",
        "run_history": "/api/pipelines/p_orders/runs",
        "impact": "/api/pipelines/p_orders/impact",
        "runbooks": "/api/runbooks?search=p_orders",
        "cost": "/api/pipelines/p_orders/cost?days=7",
    }
    assert fact_id(body, "error.code") in links["pipeline_runs"]["fact_ids"]
    assert fact_id(body, "history.failures_7d") in links["run_history"]["fact_ids"]
    assert links["cost"]["fact_ids"] == [f["id"] for f in body["traceability"]["cost_facts"]]
    linked = {i for link in links.values() for i in link["fact_ids"]}
    assert linked == {f["id"] for f in body["facts_used"]}


def test_every_statement_cites_facts_that_exist(ask, orders_incident):
    body = ask({"run_id": "r-100"})
    known = {f["id"] for f in body["facts_used"]}
    statements = body["evidence"]["statements"]
    assert {s["field"] for s in statements} == {
        "summary",
        "likely_cause",
        "next_actions",
        "impacted_consumers",
        "runbook_references",
    }
    assert all(s["fact_ids"] and set(s["fact_ids"]) <= known for s in statements)
    cause = next(s for s in statements if s["field"] == "likely_cause")
    assert cause["fact_ids"] == [fact_id(body, "error.code"), fact_id(body, "error.message")]


def test_consumers_and_runbook_reference(ask, orders_incident):
    body = ask({"run_id": "r-100"})
    assert [(c["id"], c["kind"], c["criticality"], c["depth"]) for c in body["impacted_consumers"]] == [
        ("exec_sales", "dashboard", "critical", 2),
        ("finance_weekly", "report", "medium", 2),
        ("demand_forecast", "ml_model", "high", 3),
    ]
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
    assert body["runbook_references"] == [
        {
            "pipeline_id": "p_orders",
            "title": "orders_daily runbook",
            "url": "https://runbooks.example.com/orders_daily",
            "status": "configured",
            "governance_state": "in_progress",
            "owner": "dana@example.com",
            "sections": ["Access and grants"],
        }
    ]


def test_a_cut_impact_walk_is_said_in_the_summary_and_cited(ask, orders_incident, monkeypatch):
    monkeypatch.setattr(impact, "MAX_NODES", 4)  # p_orders, fct_orders and two consumers: p_forecast is cut
    body = ask({"run_id": "r-100"})
    assert [c["id"] for c in body["impacted_consumers"]] == ["exec_sales", "finance_weekly"]
    imp = body["impact_summary"]
    assert (imp["truncated"], imp["truncated_reason"], imp["max_nodes"]) == (True, "node_cap", 4)
    assert body["summary"].endswith(
        "2 downstream consumer(s) affected, 1 critical or high "
        "(lineage walk stopped at its cap of 4 nodes: there may be more)."
    )
    summary = next(s for s in body["evidence"]["statements"] if s["field"] == "summary")
    assert fact(body, "impact.truncated_reason") == "node_cap"
    assert fact_id(body, "impact.truncated_reason") in summary["fact_ids"]


def test_error_text_in_the_request_overrides_the_run_and_is_sourced_to_the_request(ask, orders_incident):
    oom = "java.lang.OutOfMemoryError: Java heap space"
    body = ask({"pipeline_id": "p_orders", "error_message": oom})
    assert body["evidence"]["rule"]["name"] == "out-of-memory-or-spill"
    msg = next(f for f in body["facts_used"] if f["field"] == "error.message")
    assert (msg["value"], msg["source"]) == (oom, "request")
    with pytest.raises(KeyError):
        fact(body, "run.run_id")
    assert fact(body, "pipeline.pipeline_id") == "p_orders"


@pytest.mark.django_db
def test_error_text_alone_is_triaged_with_lower_confidence(ask):
    body = ask({"error_message": "Task exited with return code Negsignal.SIGKILL", "mode": "deterministic"})
    assert body["evidence"]["rule"]["name"] == "out-of-memory-or-spill"
    assert body["confidence"] == 0.65  # 0.80 - 0.15 (no run)
    assert body["confidence_reason"].endswith("run facts missing -0.15.")
    assert body["facts_used"] == [
        {
            "id": "T1",
            "field": "error.message",
            "value": "Task exited with return code Negsignal.SIGKILL",
            "source": "request",
        }
    ]
    assert body["impact_summary"] == {
        "nodes_count": 0,
        "edges_count": 0,
        "degraded": True,
        "degraded_reasons": ["not_computed"],
        "impact_model": "none",
        "depth": 20,
        "max_nodes": 2000,
        "truncated": False,
        "truncated_reason": None,
    }
    assert (body["impacted_consumers"], body["runbook_references"], body["degraded"]) == ([], [], False)
    assert body["warnings"] == [
        "No run or pipeline given: the answer rests on the error text alone (no impact, runbook or cost)."
    ]
    # the summary says what it rests on, not a bare "Error."
    assert body["summary"].startswith("From the error text alone. Likely cause (")


def test_an_unreadable_fact_group_degrades_the_answer_instead_of_failing(ask, orders_incident, warehouse):
    warehouse.execute("DROP TABLE LINEAGE_EDGES")
    body = ask({"run_id": "r-100"})
    assert body["degraded"] is True
    assert body["warnings"][0].startswith("impact unavailable: ")
    assert body["impact_summary"] == {
        "nodes_count": 0,
        "edges_count": 0,
        "degraded": True,
        "degraded_reasons": ["not_computed"],
        "impact_model": "lineage_bfs_v1",
        "depth": 20,
        "max_nodes": 2000,
        "truncated": False,
        "truncated_reason": None,
    }
    assert body["traceability"]["impact_facts"] == []
    assert body["confidence"] == 0.85
    assert body["confidence_reason"].endswith("impact facts missing -0.05.")
    assert fact(body, "cost.run_cost_aud") == 4.5


def test_pipeline_without_lineage_reports_degraded_impact(ask, telemetry, clock):
    telemetry.pipeline("p_lonely", platform="airflow")
    telemetry.run(
        "p_lonely", "FAILED", run_id="r-lonely", error_message="AirflowTaskTimeout: Timeout, PID: 1"
    )
    body = ask({"run_id": "r-lonely"})
    assert body["impact_summary"]["degraded"] is True
    assert fact(body, "impact.degraded_reasons") == ["no_lineage"]
    assert fact(body, "runbook.status") == "missing"
    assert body["runbook_references"][0]["url"] is None
    assert body["degraded"] is False


def test_domain_function_answers_the_same_as_the_endpoint(ask, orders_incident):
    assert triage(TriageRequest(run_id="r-100"))["facts_used"] == ask({"run_id": "r-100"})["facts_used"]


def refused(ask, body: dict, parameter: str, status: int) -> None:
    error = ask(body, status)["error"]
    assert error["code"] == ("invalid_parameter" if status == 400 else "not_found")
    assert error["details"]["parameter"] == parameter
    assert error["message"].startswith(f"{parameter}: ")


@duckdb_only
@pytest.mark.parametrize(
    "body,parameter",
    [
        ({"run_id": "r-100", "mode": "clairvoyant"}, "mode"),
        ({"run_id": 100}, "run_id"),
        ({"pipeline_id": ["p_orders"]}, "pipeline_id"),
        ({"run_id": "r-100", "context_days": "7"}, "context_days"),
        ({"run_id": "r-100", "context_days": 0}, "context_days"),
        ({"run_id": "r-100", "context_days": 91}, "context_days"),
        ({"error_message": {"text": "x"}}, "error_message"),
        ({"mode": "deterministic"}, "run_id"),
    ],
)
def test_bad_requests_get_the_envelope_naming_the_field(ask, orders_incident, body, parameter):
    refused(ask, body, parameter, 400)


@pytest.mark.parametrize(
    "body,parameter,status",
    [
        ({"run_id": "r-missing"}, "run_id", 404),
        ({"pipeline_id": "p_missing"}, "pipeline_id", 404),
        ({"run_id": "r-100", "pipeline_id": "p_forecast"}, "pipeline_id", 400),
    ],
)
def test_ids_the_warehouse_does_not_match_get_the_envelope_naming_the_field(
    ask, orders_incident, body, parameter, status
):
    refused(ask, body, parameter, status)


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_refused(ask):
    assert ask(["run_id"], 400)["error"]["details"]["parameter"] == "body"


@pytest.mark.django_db
def test_viewers_may_ask_anonymous_may_not(client_for, viewer, operator, anon_client):
    body = {"error_code": "000630"}
    assert anon_client.post(URL, body, format="json").status_code == 401
    assert client_for(viewer).post(URL, body, format="json").status_code == 200
    assert client_for(operator).post(URL, body, format="json").status_code == 200
