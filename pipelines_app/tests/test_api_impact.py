"""GET /api/pipelines/{id}/impact and the deprecated /lineage alias."""

import pytest

from pipelines_app import impact
from testsupport.ingest_events import dataset, run_event
from testsupport.telemetry_api import *  # noqa: F403
from testsupport.warehouse import duckdb_only


def chain(t):
    """p1 -> raw -> p2 -> mart -> dash (and mart -> churn model); p2 also writes side."""
    t.pipeline("p1", criticality="critical")
    t.pipeline("p2", pipeline_name="Mart Build", criticality="high")
    t.dataset("raw")
    t.dataset("mart", kind="view")
    t.dataset("side")
    t.dataset(
        "dash",
        kind="dashboard",
        name="Revenue",
        criticality="critical",
        owner="cfo@example.com",
        team="fin",
        namespace="tableau://acme",
    )
    t.dataset("churn", kind="ml_model", criticality="high", team="ds")
    t.edge("p1", "pipeline", "raw", "dataset")
    t.edge("raw", "dataset", "p2", "pipeline")
    t.edge("p2", "pipeline", "mart", "dataset")
    t.edge("p2", "pipeline", "side", "dataset")
    t.edge("mart", "dataset", "dash", "dataset")
    t.edge("mart", "dataset", "churn", "dataset")


def test_three_level_chain_reaches_the_dashboard(api, telemetry):
    chain(telemetry)
    body = api.get("/api/pipelines/p1/impact").json()
    depths = {n["id"]: (n["kind"], n["depth"]) for n in body["nodes"]}
    assert depths == {
        "p1": ("pipeline", 0),
        "raw": ("table", 1),
        "p2": ("pipeline", 2),
        "mart": ("view", 3),
        "side": ("table", 3),
        "dash": ("dashboard", 4),
        "churn": ("ml_model", 4),
    }
    assert body["impacted_consumers"] == [
        {"id": "dash", "name": "Revenue", "namespace": "tableau://acme", "kind": "dashboard",
         "criticality": "critical", "owner": "cfo@example.com", "team": "fin", "depth": 4},
        {"id": "churn", "name": "churn", "namespace": "warehouse", "kind": "ml_model", "criticality": "high",
         "owner": "owner@example.com", "team": "ds", "depth": 4},
    ]  # fmt: skip
    assert {(e["src"], e["dst"]) for e in body["edges"]} == {
        ("p1", "raw"), ("raw", "p2"), ("p2", "mart"), ("p2", "side"), ("mart", "dash"), ("mart", "churn")
    }  # fmt: skip
    assert (body["nodes_count"], body["edges_count"]) == (7, 6)
    assert body["impact_model"] == "lineage_bfs_v1" and body["depth"] == impact.DEFAULT_DEPTH == 20
    assert (body["degraded"], body["truncated"], body["degraded_reasons"]) == (False, False, [])
    assert (body["truncated_reason"], body["max_nodes"]) == (None, impact.MAX_NODES)


def test_the_default_walk_reaches_consumers_past_five_edges(api, telemetry):
    """A consumer three pipelines downstream is six edges away: the default walk lists it."""
    chain(telemetry)
    telemetry.pipeline("p3")
    telemetry.dataset("gold")
    telemetry.dataset("board", kind="report")
    telemetry.edge("side", "dataset", "p3", "pipeline")
    telemetry.edge("p3", "pipeline", "gold", "dataset")
    telemetry.edge("gold", "dataset", "board", "dataset")
    body = api.get("/api/pipelines/p1/impact").json()
    consumers = [(c["id"], c["depth"]) for c in body["impacted_consumers"]]
    assert consumers == [("dash", 4), ("churn", 4), ("board", 6)]
    assert body["truncated"] is False


def test_depth_limit_cuts_the_walk_and_says_so(api, telemetry):
    chain(telemetry)
    body = api.get("/api/pipelines/p1/impact?depth=3").json()
    assert {n["id"] for n in body["nodes"]} == {"p1", "raw", "p2", "mart", "side"}
    assert body["impacted_consumers"] == []
    assert body["depth"] == 3
    assert all(e["src"] not in ("mart", "side") for e in body["edges"])
    assert (body["truncated"], body["truncated_reason"]) == (True, "depth")
    assert body["degraded"] is True and body["degraded_reasons"] == ["truncated"]


def test_a_walk_that_ends_at_its_depth_is_not_truncated(api, telemetry):
    chain(telemetry)
    body = api.get("/api/pipelines/p1/impact?depth=4").json()  # the consumers are the last level
    assert [c["id"] for c in body["impacted_consumers"]] == ["dash", "churn"]
    assert (body["truncated"], body["truncated_reason"], body["degraded"]) == (False, None, False)


def test_diamonds_and_cycles_visit_each_node_once(api, telemetry):
    t = telemetry
    t.pipeline("a")
    t.pipeline("b")
    t.pipeline("c")
    for d in ("x", "y", "z"):
        t.dataset(d)
    t.dataset("rep", kind="report")
    t.edge("a", "pipeline", "x", "dataset")
    t.edge("a", "pipeline", "y", "dataset")
    t.edge("x", "dataset", "b", "pipeline")
    t.edge("y", "dataset", "b", "pipeline")  # diamond a -> {x, y} -> b
    t.edge("b", "pipeline", "z", "dataset")
    t.edge("z", "dataset", "a", "pipeline")  # cycle back to the start
    t.edge("z", "dataset", "rep", "dataset")
    body = api.get("/api/pipelines/a/impact?depth=20").json()
    assert sorted(n["id"] for n in body["nodes"]) == ["a", "b", "rep", "x", "y", "z"]
    assert [c["id"] for c in body["impacted_consumers"]] == ["rep"]
    assert body["edges_count"] == 7  # every edge between visited nodes, once


def test_pipeline_without_lineage_is_degraded(api, telemetry):
    telemetry.pipeline("lonely")
    body = api.get("/api/pipelines/lonely/impact").json()
    assert body["nodes_count"] == 1 and body["edges_count"] == 0
    assert body["degraded"] is True and body["degraded_reasons"] == ["no_lineage"]


def test_unknown_dataset_is_degraded_and_shown_as_dataset(api, telemetry):
    telemetry.pipeline("p1")
    telemetry.edge("p1", "pipeline", "mystery", "dataset")
    body = api.get("/api/pipelines/p1/impact").json()
    mystery = {"id": "mystery", "kind": "dataset", "name": "mystery", "namespace": None, "criticality": None}
    assert {**mystery, "depth": 1} in body["nodes"]
    assert body["degraded_reasons"] == ["unknown_datasets"]


def test_node_cap_truncates(api, telemetry, monkeypatch):
    monkeypatch.setattr(impact, "MAX_NODES", 3)
    chain(telemetry)
    body = api.get("/api/pipelines/p1/impact").json()
    assert body["nodes_count"] == 3 and body["truncated"] is True
    assert (body["truncated_reason"], body["max_nodes"]) == ("node_cap", 3)
    assert body["degraded"] is True and "truncated" in body["degraded_reasons"]


@duckdb_only
@pytest.mark.parametrize("depth", ["0", "21", "-1", "deep"])
def test_depth_outside_1_to_20_is_400(api, telemetry, depth):
    chain(telemetry)
    response = api.get(f"/api/pipelines/p1/impact?depth={depth}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "depth"


def test_unknown_pipeline_is_404(api, telemetry):
    assert api.get("/api/pipelines/nope/impact").json()["error"]["code"] == "not_found"
    assert api.get("/api/pipelines/nope/lineage").status_code == 404


def test_lineage_is_a_deprecated_alias(api, telemetry):
    chain(telemetry)
    impact_body = api.get("/api/pipelines/p1/impact?depth=4").json()
    response = api.get("/api/pipelines/p1/lineage?depth=4")
    body = response.json()
    assert body.pop("deprecated") is True
    assert body.pop("replacement_endpoint") == "/api/pipelines/p1/impact"
    body.pop("generated_at"), impact_body.pop("generated_at")
    assert body == impact_body
    assert response["Deprecation"] == "true"
    assert 'rel="successor-version"' in response["Link"]


def test_statements_per_request_do_not_grow_with_depth(api, telemetry, warehouse, statements, monkeypatch):
    monkeypatch.setattr(impact, "_current", None)
    chain(telemetry)
    version = 0 if warehouse.name == "duckdb" else 1  # Snowflake reads the data version row per request
    statements.clear()
    api.get("/api/pipelines/p1/impact?depth=1")
    # pipeline lookup + lineage fingerprint + every edge (once, in parts) + node details
    assert len(statements) == version + 3 + impact.EDGE_PARTS
    for depth in (1, 4, 20):
        statements.clear()
        api.get(f"/api/pipelines/p1/impact?depth={depth}")
        assert len(statements) == version + 2, depth  # pipeline lookup + node details


def test_an_edge_added_between_requests_is_in_the_next_answer(api, telemetry):
    chain(telemetry)
    before = api.get("/api/pipelines/p1/impact").json()
    assert [c["id"] for c in before["impacted_consumers"]] == ["dash", "churn"]
    telemetry.dataset("ops", kind="report", criticality="low")
    telemetry.edge("side", "dataset", "ops", "dataset")
    after = api.get("/api/pipelines/p1/impact").json()
    assert [c["id"] for c in after["impacted_consumers"]] == ["dash", "churn", "ops"]
    assert {"src": "side", "src_kind": "dataset", "dst": "ops", "dst_kind": "dataset"} in after["edges"]
    assert after["edges_count"] == before["edges_count"] + 1


def test_an_edge_ingested_through_the_api_is_in_the_next_answer(api, client_for, operator, warehouse):
    ingest = client_for(operator, "Bearer")
    first = run_event("COMPLETE", job="ledger.load", outputs=[dataset("RAW.LEDGER")])
    url = (
        f"/api/pipelines/{ingest.post('/api/v1/lineage', first, format='json').json()['pipeline_id']}/impact"
    )
    before = api.get(url).json()
    assert [n["name"] for n in before["nodes"]] == ["ledger.load", "RAW.LEDGER"]
    second = run_event(
        "COMPLETE", job="ledger.mart", inputs=[dataset("RAW.LEDGER")], outputs=[dataset("MART.LEDGER")]
    )
    assert ingest.post("/api/v1/lineage", second, format="json").status_code == 200
    after = api.get(url).json()
    assert [n["name"] for n in after["nodes"]] == ["ledger.load", "RAW.LEDGER", "ledger.mart", "MART.LEDGER"]
    assert after["edges_count"] == 3
