"""GET /api/summary."""

from datetime import timedelta

from pipelines_app import impact
from pipelines_app.warehouse import reset_warehouse
from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW
from testsupport.warehouse import duckdb_only

H = timedelta(hours=1)
D = timedelta(days=1)


def build(t):
    t.pipeline("ok")
    t.run("ok", "SUCCESS", ago=2 * H)
    t.run("ok", "RUNNING", ago=10 * timedelta(minutes=1))
    t.run("ok", "SUCCESS", ago=2 * D)  # outside 24 h
    t.pipeline("f1", criticality="critical")
    t.run("f1", "FAILED", ago=3 * H)
    t.pipeline("f2")
    t.run("f2", "SUCCESS", ago=5 * H)
    t.run("f2", "FAILED", ago=4 * H)
    t.run("f2", "RUNNING", ago=H)  # a retry in flight: the latest *finished* run still failed
    t.pipeline("recovered")
    t.run("recovered", "FAILED", ago=6 * H)
    t.run("recovered", "SUCCESS", ago=5 * H)
    t.pipeline("retired", is_active=False)
    t.run("retired", "FAILED", ago=30 * H)
    # lineage: f1 -> t1 -> dash_a; f2 -> t2 -> {dash_a, rep_b}; recovered -> t3 -> ml_c; retired -> t4 -> ml_c
    for d, kind in (("t1", "table"), ("t2", "table"), ("t3", "table"), ("t4", "table")):
        t.dataset(d, kind=kind)
    t.dataset("dash_a", kind="dashboard", criticality="critical")
    t.dataset("rep_b", kind="report", criticality="low")
    t.dataset("ml_c", kind="ml_model")
    for src, dst in (("f1", "t1"), ("f2", "t2"), ("recovered", "t3"), ("retired", "t4")):
        t.edge(src, "pipeline", dst, "dataset")
    for src, dst in (("t1", "dash_a"), ("t2", "dash_a"), ("t2", "rep_b"), ("t3", "ml_c"), ("t4", "ml_c")):
        t.edge(src, "dataset", dst, "dataset")
    # datasets with a freshness SLA: 2 stale (old, never updated), 1 fresh; one old without SLA
    t.dataset("old", freshness_sla_minutes=1440, last_updated_ts=NOW - 2 * D)
    t.dataset("never", freshness_sla_minutes=60, last_updated_ts=None)
    t.dataset("fresh", freshness_sla_minutes=1440, last_updated_ts=NOW - H)
    t.dataset("no_sla", freshness_sla_minutes=None, last_updated_ts=NOW - 30 * D)
    # costs: today 10.10 + 5.555; 6 days ago 20; 7 days ago (outside) 100
    today = NOW.date()
    t.cost("ok", today, 10.10)
    t.cost("f1", today, 5.555)
    t.cost("f2", today - timedelta(days=6), 20)
    t.cost("f2", today - timedelta(days=7), 100)


def test_summary_numbers(api, telemetry):
    build(telemetry)
    body = api.get("/api/summary").json()
    assert body["pipelines"] == 5 and body["active"] == 4
    # started in 24 h: ok x2, f1, f2 x3, recovered x2 = 8; of them FAILED: f1, f2, recovered = 3
    assert (body["runs_24h"], body["failures_24h"], body["running"]) == (8, 3, 2)
    assert body["stale_datasets"] == 2
    assert body["cost_24h_aud"] == 15.66  # 10.10 + 5.555 = 15.655 -> cents
    assert body["cost_7d_aud"] == 35.66
    assert body["cost_7d_daily_avg_aud"] == round(35.655 / 7, 2)
    assert body["generated_at"].endswith("Z")


def test_sla_breaches_count_breached_active_pipelines(api, telemetry):
    build(telemetry)
    body = api.get("/api/summary").json()
    sla = api.get("/api/sla/pipelines?status=breached").json()
    assert body["sla_breaches"] == sla["total"]
    # f1 (only a failure: ratio 1.0 and never succeeded since 2026-01-01) and f2 (1 of 2 failed)
    assert {i["pipeline_id"] for i in sla["items"]} >= {"f1", "f2"}


def test_top_impacted_assets_from_failing_pipelines(api, telemetry):
    build(telemetry)
    assets = api.get("/api/summary").json()["top_impacted_downstream_assets"]
    assert [(a["id"], a["kind"], a["criticality"], a["impacted_by"]) for a in assets] == [
        ("dash_a", "dashboard", "critical", 2),
        ("rep_b", "report", "low", 1),
    ]
    assert assets[0]["failing_pipelines"] == ["f1", "f2"]
    body = api.get("/api/summary").json()
    assert (body["top_impacted_truncated"], body["top_impacted_truncated_reasons"]) == (False, [])


def test_top_impacted_assets_count_each_failing_pipelines_own_impact(api, telemetry, monkeypatch):
    """An asset counts the failing pipelines whose /impact lists it; a cut walk is reported."""
    build(telemetry)
    monkeypatch.setattr(impact, "MAX_NODES", 3)  # f2 -> t2 -> dash_a fits, rep_b does not
    body = api.get("/api/summary").json()
    listed = {
        p: {c["id"] for c in api.get(f"/api/pipelines/{p}/impact").json()["impacted_consumers"]}
        for p in ("f1", "f2")
    }
    assert listed == {"f1": {"dash_a"}, "f2": {"dash_a"}}
    assets = body["top_impacted_downstream_assets"]
    assert [(a["id"], a["impacted_by"], a["failing_pipelines"]) for a in assets] == [
        ("dash_a", 2, ["f1", "f2"])
    ]
    assert (body["top_impacted_truncated"], body["top_impacted_truncated_reasons"]) == (True, ["node_cap"])


def test_empty_warehouse(api, warehouse):
    body = api.get("/api/summary").json()
    assert body["pipelines"] == 0 and body["top_impacted_downstream_assets"] == []
    assert body["cost_7d_aud"] == 0.0


@duckdb_only
def test_anonymous_is_401(client_for, warehouse, at_now):
    assert client_for(None).get("/api/summary").status_code == 401


def test_no_warehouse_is_503_envelope(api, settings):
    reset_warehouse()
    settings.CT_WAREHOUSE_BACKEND = "none"
    try:
        for url in ("/api/summary", "/api/pipelines", "/api/pipelines/p1/impact", "/api/costs/anomalies"):
            response = api.get(url)
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "database_unavailable"
    finally:
        reset_warehouse()
