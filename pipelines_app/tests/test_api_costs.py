"""GET /api/costs, /api/costs/trend, /api/costs/pipelines, /api/pipelines/{id}/cost."""

from datetime import timedelta

import pytest

from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW
from testsupport.warehouse import duckdb_only

TODAY = NOW.date()


def day(n: int):
    return TODAY - timedelta(days=n)


@pytest.fixture
def cost_estate(telemetry):
    t = telemetry
    t.pipeline("etl", team="data", domain="sales")
    t.pipeline("ml", team="science", domain="sales")
    t.pipeline("fin", team="data", domain="finance")
    t.cost("etl", day(0), 10.005)
    t.cost("etl", day(0), 2)
    t.cost("etl", day(3), 30)
    t.cost("ml", day(1), 50.5)
    t.cost("ml", day(7), 999)  # outside the 7-day window, inside 30 days
    t.cost("fin", day(6), 4.25)
    t.cost("fin", day(40), 7)  # outside 30 days
    return t


def test_overview_totals_and_breakdowns(api, cost_estate):
    body = api.get("/api/costs").json()
    assert body["cost_24h_aud"] == 12.01  # 10.005 + 2
    assert body["cost_7d_aud"] == 96.76  # 12.005 + 30 + 50.5 + 4.25
    assert body["cost_7d_daily_avg_aud"] == 13.82  # 96.755 / 7
    assert body["by_team"] == [
        {"team": "science", "cost_24h_aud": 0.0, "cost_7d_aud": 50.5, "pipelines": 1},
        {"team": "data", "cost_24h_aud": 12.01, "cost_7d_aud": 46.26, "pipelines": 2},
    ]
    assert [(d["domain"], d["cost_7d_aud"]) for d in body["by_domain"]] == [
        ("sales", 92.51),
        ("finance", 4.25),
    ]
    assert (body["window_start"], body["window_end"]) == (str(day(6)), str(TODAY))


def test_summary_uses_the_same_totals(api, cost_estate):
    summary, costs = api.get("/api/summary").json(), api.get("/api/costs").json()
    for key in ("cost_24h_aud", "cost_7d_aud", "cost_7d_daily_avg_aud"):
        assert summary[key] == costs[key]


def test_trend_is_zero_filled_daily_series(api, cost_estate):
    body = api.get("/api/costs/trend?days=8").json()
    assert [p["date"] for p in body["series"]] == [str(day(n)) for n in range(7, -1, -1)]
    assert [p["cost_aud"] for p in body["series"]] == [999.0, 4.25, 0.0, 0.0, 30.0, 0.0, 50.5, 12.01]
    assert body["series"][-1]["runs"] == 2 and body["series"][2]["runs"] == 0
    assert body["total_aud"] == 1095.76
    assert (body["start_date"], body["end_date"], body["days"]) == (str(day(7)), str(TODAY), 8)
    default = api.get("/api/costs/trend").json()
    assert len(default["series"]) == 30 and default["total_aud"] == 1095.76  # day 40 is outside
    team = api.get("/api/costs/trend?days=8&team=science").json()
    assert team["total_aud"] == 1049.5


def test_trend_without_counts_is_the_same_money(api, cost_estate):
    full = api.get("/api/costs/trend?days=8&team=data").json()
    money = api.get("/api/costs/trend?days=8&team=data&counts=false").json()
    assert [(p["date"], p["cost_aud"], p["credits_used"]) for p in money["series"]] == [
        (p["date"], p["cost_aud"], p["credits_used"]) for p in full["series"]
    ]
    assert (money["total_aud"], money["daily_avg_aud"]) == (full["total_aud"], full["daily_avg_aud"])
    assert not any("runs" in p or "pipelines" in p for p in money["series"])
    assert api.get("/api/costs/trend?counts=maybe").status_code == 400


def test_pipeline_ranking(api, cost_estate):
    body = api.get("/api/costs/pipelines").json()  # 7 days
    rows = [(i["pipeline_id"], i["cost_aud"], i["runs"], i["share_pct"]) for i in body["items"]]
    assert rows == [("ml", 50.5, 1, 52.19), ("etl", 42.01, 3, 43.41), ("fin", 4.25, 1, 4.39)]
    assert body["items"][1]["avg_cost_per_run_aud"] == 14.0  # 42.005 / 3
    assert (body["total"], body["days"]) == (3, 7)
    page = api.get("/api/costs/pipelines?days=30&offset=1&limit=1").json()
    assert [i["pipeline_id"] for i in page["items"]] == ["etl"]
    assert page["total"] == 3
    first = api.get("/api/costs/pipelines?days=30&limit=1").json()
    assert [i["pipeline_id"] for i in first["items"]] == ["ml"]
    assert api.get("/api/costs/pipelines?domain=finance").json()["total"] == 1


def test_pipeline_cost(api, cost_estate):
    body = api.get("/api/pipelines/etl/cost?days=5").json()
    assert [p["cost_aud"] for p in body["series"]] == [0.0, 30.0, 0.0, 0.0, 12.01]
    assert (body["total_aud"], body["cost_24h_aud"], body["cost_7d_aud"], body["runs"]) == (
        42.01,
        12.01,
        42.01,
        3,
    )
    assert body["daily_avg_aud"] == 8.4
    assert api.get("/api/pipelines/fin/cost?days=2").json()["cost_7d_aud"] == 4.25  # 7d even when days < 7
    assert api.get("/api/pipelines/nope/cost").status_code == 404


@duckdb_only
@pytest.mark.parametrize(
    "url", ["/api/costs/trend?days=0", "/api/costs/trend?days=366", "/api/costs/pipelines?days=x",
            "/api/costs/pipelines?limit=0", "/api/pipelines/etl/cost?days=-1"]
)  # fmt: skip
def test_bad_parameters_are_400(api, cost_estate, url):
    assert api.get(url).json()["error"]["code"] == "invalid_parameter"


def test_ranking_runs_a_fixed_number_of_statements(api, cost_estate, statements):
    api.get("/api/costs/pipelines")
    assert len(statements) == 1
