"""GET /api/pipelines, /api/pipelines/{id}, /api/pipelines/{id}/runs."""

from datetime import timedelta

import pytest

from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW, iso
from testsupport.warehouse import duckdb_only


@pytest.fixture
def pipelines_with_runs(telemetry):
    t = telemetry
    t.pipeline("p1", pipeline_name="Orders Load", team="sales", domain="commerce", criticality="critical")
    t.pipeline("p2", pipeline_name="Ledger Sync", team="finance", domain="finance", criticality="high")
    t.pipeline("p3", pipeline_name="orders_backfill", team="sales", domain="commerce", criticality="low")
    t.run("p1", "SUCCESS", ago=timedelta(days=2))
    t.run("p1", "FAILED", ago=timedelta(hours=3), minutes=5)
    t.run("p1", "SUCCESS", ago=timedelta(days=9))  # outside the 7-day window
    t.run("p2", "SUCCESS", ago=timedelta(hours=2), minutes=20)
    t.run("p2", "RUNNING", ago=timedelta(minutes=30))
    return t


def test_list_has_run_stats_and_latest_run(api, pipelines_with_runs):
    body = api.get("/api/pipelines").json()
    assert body["total"] == 3 and body["offset"] == 0 and body["limit"] == 50
    p1, p2, p3 = body["items"]
    assert (p1["pipeline_id"], p1["runs_7d"], p1["failures_7d"], p1["last_status"]) == ("p1", 2, 1, "FAILED")
    assert p1["last_end_ts"] == iso(NOW - timedelta(hours=3) + timedelta(minutes=5))
    assert (p2["runs_7d"], p2["failures_7d"], p2["last_status"]) == (2, 0, "RUNNING")
    assert p2["last_end_ts"] == iso(NOW - timedelta(hours=2) + timedelta(minutes=20))
    assert (p3["runs_7d"], p3["last_status"], p3["last_end_ts"]) == (0, None, None)


def test_filters_combine(api, pipelines_with_runs):
    def ids(query):
        return [p["pipeline_id"] for p in api.get(f"/api/pipelines?{query}").json()["items"]]

    assert ids("team=sales") == ["p1", "p3"]
    assert ids("domain=finance") == ["p2"]
    assert ids("criticality=critical") == ["p1"]
    assert ids("search=ORDERS") == ["p1", "p3"]  # name substring, case-insensitive
    assert ids("search=p2") == ["p2"]  # id substring
    assert ids("status=FAILED") == ["p1"]
    assert ids("team=sales&criticality=low") == ["p3"]
    assert ids("search=%25") == []  # a LIKE wildcard is just a character


def test_pagination_windows(api, telemetry):
    for i in range(7):
        telemetry.pipeline(f"q{i}")
    first = api.get("/api/pipelines?limit=3").json()
    second = api.get("/api/pipelines?offset=2&limit=3").json()
    past_end = api.get("/api/pipelines?offset=10&limit=3").json()
    assert [p["pipeline_id"] for p in first["items"]] == ["q0", "q1", "q2"]
    assert [p["pipeline_id"] for p in second["items"]] == ["q2", "q3", "q4"]
    assert first["total"] == second["total"] == past_end["total"] == 7
    assert past_end["items"] == []


def test_list_runs_a_fixed_number_of_statements(api, telemetry, statements):
    telemetry.pipeline("a")
    api.get("/api/pipelines")
    few = len(statements)
    for i in range(20):
        telemetry.pipeline(f"b{i}")
        telemetry.run(f"b{i}", "SUCCESS")
    statements.clear()
    api.get("/api/pipelines")
    assert len(statements) == few == 1


@duckdb_only
@pytest.mark.parametrize(
    "query",
    [
        "offset=-1",
        "limit=0",
        "limit=501",
        "limit=x",
        "criticality=urgent",
        "status=failed",
        "team=" + "x" * 201,
    ],
)
def test_bad_parameters_are_400(api, pipelines_with_runs, query):
    response = api.get(f"/api/pipelines?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_detail_and_404(api, pipelines_with_runs):
    body = api.get("/api/pipelines/p1").json()
    assert body["pipeline_name"] == "Orders Load" and body["runs_7d"] == 2 and body["is_active"] is True
    missing = api.get("/api/pipelines/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_runs_newest_first_with_stable_ties(api, telemetry):
    telemetry.pipeline("p1")
    same = NOW - timedelta(hours=1)
    for run_id in ("r-a", "r-c", "r-b"):
        telemetry.run("p1", "SUCCESS", start=same, run_id=run_id)
    telemetry.run("p1", "FAILED", ago=timedelta(minutes=10), run_id="r-new", error_code="E1")
    telemetry.run("p1", "SUCCESS", ago=timedelta(days=3), run_id="r-old")
    body = api.get("/api/pipelines/p1/runs").json()
    assert body["total"] == 5
    assert [r["run_id"] for r in body["items"]] == ["r-new", "r-c", "r-b", "r-a", "r-old"]
    assert body["items"][0]["error_code"] == "E1"
    assert body["items"][1]["start_ts"] == iso(same)
    page2 = api.get("/api/pipelines/p1/runs?offset=2&limit=2").json()
    assert [r["run_id"] for r in page2["items"]] == ["r-b", "r-a"]


def test_runs_carry_their_cost(api, telemetry):
    telemetry.pipeline("p1")
    run = telemetry.run("p1", "SUCCESS", run_id="r1")
    telemetry.cost("p1", NOW.date(), 12.345, run_id=run["run_id"])
    telemetry.cost("p1", NOW.date(), 1.0, run_id=run["run_id"])
    (item,) = api.get("/api/pipelines/p1/runs").json()["items"]
    assert item["cost_aud"] == 13.35  # 13.345 rounded to cents


def test_runs_of_unknown_pipeline_is_404(api, pipelines_with_runs):
    assert api.get("/api/pipelines/nope/runs").status_code == 404


def test_anonymous_is_401_unless_public_read(client_for, pipelines_with_runs, at_now, settings):
    anonymous = client_for(None)
    response = anonymous.get("/api/pipelines")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    settings.CT_PUBLIC_READ = True
    assert anonymous.get("/api/pipelines").json()["total"] == 3


def test_latest_run_ties_break_on_run_id(api, telemetry):
    telemetry.pipeline("p1")
    same = NOW - timedelta(hours=2)
    telemetry.run("p1", "FAILED", start=same, run_id="run-b")
    telemetry.run("p1", "SUCCESS", start=same, run_id="run-a")
    body = api.get("/api/pipelines/p1").json()
    assert (body["last_run_id"], body["last_status"], body["last_start_ts"]) == ("run-b", "FAILED", iso(same))


def test_pipeline_ids_filter_keeps_only_those(api, pipelines_with_runs):
    body = api.get("/api/pipelines?pipeline_ids=p3,p1,nope").json()
    assert [p["pipeline_id"] for p in body["items"]] == ["p1", "p3"] and body["total"] == 2
    assert api.get("/api/pipelines?pipeline_ids=p1&team=finance").json()["items"] == []
    too_many = ",".join(f"x{i}" for i in range(501))
    refused = api.get(f"/api/pipelines?pipeline_ids={too_many}")
    assert refused.status_code == 400 and refused.json()["error"]["details"]["parameter"] == "pipeline_ids"


def test_pipeline_keys_list_every_matching_pipeline_compactly(api, pipelines_with_runs):
    body = api.get("/api/pipeline-keys?team=sales").json()
    rows = [dict(zip(body["columns"], item, strict=True)) for item in body["items"]]
    assert body["total"] == 2 and body["complete"] is True
    assert [(r["pipeline_id"], r["pipeline_name"], r["runs_7d"], r["last_status"]) for r in rows] == [
        ("p1", "Orders Load", 2, "FAILED"),
        ("p3", "orders_backfill", 0, None),
    ]
    assert rows[0]["last_end_ts"] == iso(NOW - timedelta(hours=3) + timedelta(minutes=5))
