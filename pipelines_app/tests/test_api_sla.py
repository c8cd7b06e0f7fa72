"""GET /api/pipelines/{id}/sla and GET /api/sla/pipelines."""

from datetime import timedelta

import pytest

from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW, iso
from testsupport.warehouse import duckdb_only

H = timedelta(hours=1)
M = timedelta(minutes=1)


def succeeded(t, pid, ended_ago, minutes=10, **kw):
    return t.run(pid, "SUCCESS", start=NOW - ended_ago - minutes * M, minutes=minutes, **kw)


@pytest.fixture
def sla_estate(telemetry):
    t = telemetry
    # freshness 120 min, max duration 30 min (builder defaults)
    t.pipeline("fresh", team="a")
    succeeded(t, "fresh", 30 * M)
    succeeded(t, "fresh", 3 * H)
    t.pipeline("stale", team="a", criticality="critical")
    succeeded(t, "stale", 180 * M)
    t.pipeline("ratio", team="b")  # 10 finished runs in 7 days: one took 31 min (breach), one exactly 30 (ok)
    for i in range(8):
        succeeded(t, "ratio", (i + 1) * 5 * M)
    succeeded(t, "ratio", 2 * H, minutes=31)
    succeeded(t, "ratio", 3 * H, minutes=30)
    t.pipeline("broken", team="b")  # 2 of 3 finished runs failed
    succeeded(t, "broken", 20 * M)
    t.run("broken", "FAILED", ago=2 * H)
    t.run("broken", "FAILED", ago=4 * H)
    t.run("broken", "FAILED", ago=timedelta(days=10))  # outside the default 7-day window
    t.pipeline("nearly", team="a")
    succeeded(t, "nearly", 100 * M)  # past 80 % of 120
    t.pipeline("long", team="a")
    succeeded(t, "long", 10 * M)
    t.run("long", "RUNNING", ago=45 * M)  # longer than max 30 min
    t.pipeline("retired", is_active=False)
    return t


def test_pipeline_sla_reports_thresholds_and_lag(api, sla_estate):
    body = api.get("/api/pipelines/stale/sla").json()
    assert body["status"] == "breached" and body["reasons"] == ["freshness_breached"]
    assert body["thresholds"] == {
        "freshness_sla_minutes": 120,
        "max_duration_minutes": 30,
        "max_breach_ratio": 0.1,
        "source": "pipeline",
    }
    assert body["freshness_lag_minutes"] == 180.0
    assert body["last_success_ts"] == iso(NOW - 180 * M)
    assert body["freshness_breach_ts"] == iso(NOW - 60 * M)
    assert (body["runs_in_window"], body["breached_runs"], body["breach_ratio"]) == (1, 0, 0.0)
    assert body["window_days"] == 7


def test_statuses(api, sla_estate):
    def sla(pid, query=""):
        body = api.get(f"/api/pipelines/{pid}/sla{query}").json()
        return body["status"], body["reasons"], body["breach_ratio"]

    assert sla("fresh") == ("ok", [], 0.0)
    # 31 min breaches a 30 min limit, exactly 30 does not: 1 / 10 = 0.1, not above 0.1 but above half
    assert sla("ratio") == ("at_risk", ["breach_ratio_at_risk"], 0.1)
    assert sla("broken") == ("breached", ["breach_ratio_exceeded"], 0.6667)
    assert sla("broken", "?days=14") == ("breached", ["breach_ratio_exceeded"], 0.75)
    assert sla("nearly") == ("at_risk", ["freshness_at_risk"], 0.0)
    assert sla("long")[:2] == ("at_risk", ["running_over_max_duration"])


def test_never_succeeded_measures_lag_from_creation(api, telemetry):
    telemetry.pipeline("new", created_ts=NOW - 30 * M)
    telemetry.pipeline("doomed", created_ts=NOW - 5 * H)
    telemetry.run("doomed", "FAILED", ago=H)
    new = api.get("/api/pipelines/new/sla").json()
    assert (new["status"], new["freshness_lag_minutes"], new["breach_ratio"]) == ("ok", 30.0, None)
    doomed = api.get("/api/pipelines/doomed/sla").json()
    assert doomed["status"] == "breached"
    assert doomed["reasons"] == ["freshness_breached", "breach_ratio_exceeded"]


def test_list_filters_and_counts(api, sla_estate):
    body = api.get("/api/sla/pipelines").json()
    assert [i["pipeline_id"] for i in body["items"]] == [
        "broken",
        "fresh",
        "long",
        "nearly",
        "ratio",
        "stale",
    ]
    assert body["by_status"] == {"ok": 1, "at_risk": 3, "breached": 2}
    breached = api.get("/api/sla/pipelines?status=breached").json()
    assert [i["pipeline_id"] for i in breached["items"]] == ["broken", "stale"] and breached["total"] == 2
    team_b = api.get("/api/sla/pipelines?team=b&status=at_risk").json()
    assert [i["pipeline_id"] for i in team_b["items"]] == ["ratio"]
    critical = api.get("/api/sla/pipelines?criticality=critical").json()
    assert [i["pipeline_id"] for i in critical["items"]] == ["stale"]


def test_list_pagination(api, sla_estate):
    page = api.get("/api/sla/pipelines?offset=1&limit=2").json()
    assert [i["pipeline_id"] for i in page["items"]] == ["fresh", "long"]
    assert (page["total"], page["offset"], page["limit"]) == (6, 1, 2)


def test_list_runs_a_fixed_number_of_statements(api, sla_estate, statements):
    api.get("/api/sla/pipelines")
    assert len(statements) == 1  # thresholds, run facts and status: one statement
    statements.clear()
    api.get("/api/sla/pipelines")
    assert len(statements) == 1


def test_a_changed_pipeline_shows_in_the_next_list(api, sla_estate, warehouse):
    assert [i["pipeline_id"] for i in api.get("/api/sla/pipelines?team=b").json()["items"]] == [
        "broken",
        "ratio",
    ]
    warehouse.execute("UPDATE PIPELINES SET team = 'b' WHERE pipeline_id = 'fresh'")
    warehouse.execute("UPDATE PIPELINES SET freshness_sla_minutes = 10 WHERE pipeline_id = 'long'")
    assert [i["pipeline_id"] for i in api.get("/api/sla/pipelines?team=b").json()["items"]] == [
        "broken",
        "fresh",
        "ratio",
    ]
    long = next(i for i in api.get("/api/sla/pipelines").json()["items"] if i["pipeline_id"] == "long")
    assert (long["status"], long["thresholds"]["freshness_sla_minutes"]) == ("at_risk", 10)


@duckdb_only
@pytest.mark.parametrize("query", ["days=0", "days=91", "status=late", "offset=-3"])
def test_bad_parameters_are_400(api, sla_estate, query):
    assert api.get(f"/api/sla/pipelines?{query}").status_code == 400


def test_unknown_pipeline_is_404_and_bad_days_400(api, sla_estate):
    assert api.get("/api/pipelines/nope/sla").status_code == 404
    assert api.get("/api/pipelines/fresh/sla?days=abc").status_code == 400


def test_a_page_past_the_end_still_counts_every_status(api, sla_estate):
    """The list reads only its page's rows: a page past the last row still tells the totals."""
    past = api.get("/api/sla/pipelines?offset=50").json()
    assert past["items"] == [] and past["total"] == 6
    assert past["by_status"] == {"ok": 1, "at_risk": 3, "breached": 2}
    breached = api.get("/api/sla/pipelines?status=breached&offset=1&limit=5").json()
    assert [i["pipeline_id"] for i in breached["items"]] == ["stale"]
    assert (breached["total"], breached["by_status"]["at_risk"]) == (2, 3)
