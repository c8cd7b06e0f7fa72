"""GET /api/incidents: failed runs and SLA breaches in a window, with severity."""

from datetime import timedelta

import pytest

from pipelines_app import impact
from pipelines_app.incidents import severity
from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW, iso
from testsupport.warehouse import duckdb_only

H = timedelta(hours=1)


def healthy(t, pid, **fields):
    """A pipeline with ten recent successes, so one failure leaves its SLA only at risk."""
    t.pipeline(pid, **fields)
    for i in range(10):
        t.run(pid, "SUCCESS", start=NOW - (i + 1) * 20 * timedelta(minutes=1) - timedelta(minutes=10))


@pytest.fixture
def incident_estate(telemetry):
    t = telemetry
    healthy(t, "crit_dash", criticality="critical", team="sales", domain="commerce")
    t.dataset("raw")
    t.dataset("board", kind="dashboard")
    t.edge("crit_dash", "pipeline", "raw", "dataset")
    t.edge("raw", "dataset", "board", "dataset")
    t.run(
        "crit_dash", "FAILED", ago=2 * H, minutes=5, run_id="f-crit", error_code="OOM", error_message="killed"
    )
    healthy(t, "crit_alone", criticality="critical", team="sales", domain="commerce")
    t.run("crit_alone", "FAILED", ago=3 * H, minutes=5, run_id="f-alone")
    healthy(t, "high_report", criticality="high", team="finance", domain="finance")
    t.dataset("monthly", kind="report")
    t.edge("high_report", "pipeline", "monthly", "dataset")
    t.run("high_report", "FAILED", ago=30 * H, minutes=5, run_id="f-old")  # outside 24 h
    healthy(t, "med", criticality="medium", team="finance", domain="finance")
    t.run("med", "FAILED", ago=H, minutes=5, run_id="f-med")
    t.run("med", "SUCCESS", ago=30 * timedelta(minutes=1))
    t.pipeline("stale", criticality="high", team="ops", domain="platform")  # freshness 120 min
    t.run("stale", "SUCCESS", start=NOW - 6 * H, minutes=10)
    return t


def test_failed_runs_and_sla_breaches_newest_first(api, incident_estate):
    body = api.get("/api/incidents").json()
    rows = [(i["incident_id"], i["kind"], i["severity"], i["impacted_consumers"]) for i in body["items"]]
    assert rows == [
        ("run:f-med", "run_failed", "sev4", 0),
        ("run:f-crit", "run_failed", "sev1", 1),
        ("run:f-alone", "run_failed", "sev2", 0),
        ("sla:stale", "sla_breach", "sev3", 0),  # freshness ran out 3h50m ago
    ]
    first, _, _, breach = body["items"]
    assert first["detected_ts"] == iso(NOW - H + timedelta(minutes=5))
    assert breach["detected_ts"] == iso(NOW - 6 * H + timedelta(minutes=10) + 2 * H)
    assert breach["reasons"] == ["freshness_breached"]
    crit = body["items"][1]
    assert (crit["error_code"], crit["error_message"], crit["pipeline_id"]) == ("OOM", "killed", "crit_dash")
    assert body["by_severity"] == {"sev1": 1, "sev2": 1, "sev3": 1, "sev4": 1}
    assert (body["total"], body["hours"]) == (4, 24)


def deeper(t):
    """crit_dash's raw also feeds two more pipelines, ending in a report six edges from crit_dash."""
    t.pipeline("p_next")
    t.pipeline("p_last")
    t.dataset("mid")
    t.dataset("out")
    t.dataset("deep_report", kind="report")
    t.edge("raw", "dataset", "p_next", "pipeline")
    t.edge("p_next", "pipeline", "mid", "dataset")
    t.edge("mid", "dataset", "p_last", "pipeline")
    t.edge("p_last", "pipeline", "out", "dataset")
    t.edge("out", "dataset", "deep_report", "dataset")


@pytest.mark.parametrize("max_nodes", [None, 3], ids=["whole-walk", "node-cap"])
def test_each_incident_counts_the_consumers_its_impact_lists(api, incident_estate, monkeypatch, max_nodes):
    """The count and its truncation are those of the pipeline's /impact at its default depth, deep
    consumers included and whether or not the node cap cuts the walk."""
    deeper(incident_estate)
    if max_nodes:
        monkeypatch.setattr(impact, "MAX_NODES", max_nodes)  # crit_dash, raw, board: p_next is cut
    items = api.get("/api/incidents?hours=48").json()["items"]
    for item in items:
        body = api.get(f"/api/pipelines/{item['pipeline_id']}/impact").json()
        assert item["impacted_consumers"] == len(body["impacted_consumers"]), item["incident_id"]
        assert (item["impact_truncated"], item["impact_truncated_reason"]) == (
            body["truncated"],
            body["truncated_reason"],
        )
    crit = next(i for i in items if i["incident_id"] == "run:f-crit")
    expected = (1, True, "node_cap") if max_nodes else (2, False, None)  # board, and deep_report unless cut
    assert (crit["impacted_consumers"], crit["impact_truncated"], crit["impact_truncated_reason"]) == expected


def test_window_widens_with_hours(api, incident_estate):
    body = api.get("/api/incidents?hours=48").json()
    old = next(i for i in body["items"] if i["incident_id"] == "run:f-old")
    assert (old["severity"], old["impacted_consumers"]) == ("sev2", 1)  # high + a report downstream
    assert body["total"] == 5


def test_filters_and_pagination(api, incident_estate):
    def ids(query):
        return [i["incident_id"] for i in api.get(f"/api/incidents?{query}").json()["items"]]

    assert ids("team=sales") == ["run:f-crit", "run:f-alone"]
    assert ids("domain=platform") == ["sla:stale"]
    assert ids("severity=sev1") == ["run:f-crit"]
    assert ids("offset=1&limit=2") == ["run:f-crit", "run:f-alone"]


def test_severity_matrix():
    assert [severity(c, 1) for c in ("critical", "high", "medium", "low", None)] == [
        "sev1", "sev2", "sev3", "sev4", "sev4"
    ]  # fmt: skip
    assert [severity(c, 0) for c in ("critical", "high", "medium", "low", None)] == [
        "sev2", "sev3", "sev4", "sev4", "sev4"
    ]  # fmt: skip


def test_statement_count_does_not_grow_with_incidents(api, incident_estate, statements):
    api.get("/api/incidents")  # may also read every lineage edge, once, into impact's edge map
    statements.clear()
    api.get("/api/incidents")
    before = len(statements)
    for i in range(5):
        incident_estate.pipeline(f"extra{i}", criticality="high")
        incident_estate.run(f"extra{i}", "FAILED", ago=H)
    api.get("/api/incidents")  # PIPELINES changed: its rows are read again, once
    statements.clear()
    api.get("/api/incidents")
    assert len(statements) == before


@duckdb_only
@pytest.mark.parametrize("query", ["hours=0", "hours=721", "hours=abc", "severity=critical", "limit=1000"])
def test_bad_parameters_are_400(api, incident_estate, query):
    assert api.get(f"/api/incidents?{query}").json()["error"]["code"] == "invalid_parameter"


def test_kind_and_pipeline_filters_apply_before_paging(api, incident_estate):
    def ids(query):
        body = api.get(f"/api/incidents?{query}").json()
        return [i["incident_id"] for i in body["items"]], body["total"]

    everything, total = ids("limit=500")
    failed, failed_total = ids("kind=run_failed&limit=1")
    assert failed_total == sum(1 for i in everything if i.startswith("run:")) and len(failed) == 1
    assert ids("kind=sla_breach") == ([i for i in everything if i.startswith("sla:")], total - failed_total)
    assert ids("pipeline_id=med") == (["run:f-med"], 1)
    assert ids("pipeline_id=crit_dash&kind=sla_breach") == ([], 0)
    assert api.get("/api/incidents?kind=nope").status_code == 400


def test_a_breach_carries_the_numbers_behind_its_reasons(api, telemetry):
    t = telemetry
    t.pipeline("flaky", criticality="high", freshness_sla_minutes=600)
    for i in range(6):
        t.run("flaky", "SUCCESS", ago=(i + 2) * H, minutes=5)
    t.run("flaky", "FAILED", ago=H, minutes=5, run_id="f-flaky")
    t.run("flaky", "SUCCESS", ago=30 * timedelta(minutes=1), minutes=5)
    items = {i["incident_id"]: i for i in api.get("/api/incidents").json()["items"]}
    breach, run = items["sla:flaky"], items["run:f-flaky"]
    assert breach["reasons"] == ["breach_ratio_exceeded"]
    numbers = breach["sla"]
    assert (numbers["breached_runs"], numbers["runs_in_window"]) == (1, 8)
    assert (numbers["breach_ratio"], numbers["max_breach_ratio"]) == (0.125, 0.1)
    assert numbers["last_breached_run_ts"] == run["ended_ts"] == breach["detected_ts"]
    assert run["sla"] is None


def test_daily_counts_add_up_to_the_incidents_total(api, incident_estate):
    t = incident_estate
    t.run("crit_dash", "FAILED", ago=100 * H, minutes=5, run_id="f-week")  # 2026-11-16
    t.run("crit_dash", "FAILED", ago=170 * H, minutes=5, run_id="f-gone")  # before a 168 h window
    for query in ("", "hours=24", "hours=3", "hours=168", "team=sales", "domain=platform", "kind=sla_breach"):
        daily = api.get(f"/api/incidents/daily?{query}").json()
        window = "" if "hours=" in query else "hours=168&"  # the daily default
        listed = api.get(f"/api/incidents?{window}{query}").json()
        days = [d["incidents"] for d in daily["days"]]
        assert sum(days) + daily["earlier"]["incidents"] == daily["incidents"] == listed["total"], query
        assert daily["by_severity"] == listed["by_severity"], query
    week = api.get("/api/incidents/daily").json()  # 168 h by default
    assert (week["hours"], week["since_ts"]) == (168, iso(NOW - 168 * H))
    assert [d["date"] for d in week["days"]] == [f"2026-11-{d}" for d in range(13, 21)]  # first partial
    per_day = {d["date"]: (d["sev1"], d["sev2"], d["sev3"], d["sev4"]) for d in week["days"]}
    assert per_day["2026-11-16"] == (1, 0, 0, 0)  # f-week: critical with a dashboard downstream
    assert per_day["2026-11-19"] == (0, 1, 0, 0)  # f-old: high with a report downstream
    # f-crit and crit_dash's breach (3 of its 13 runs failed), f-alone, the stale breach, f-med
    assert per_day["2026-11-20"] == (2, 1, 1, 1)
    assert week["earlier"]["incidents"] == 0


def test_an_ongoing_breach_detected_before_the_first_day_is_counted_earlier(api, incident_estate):
    incident_estate.pipeline("idle", criticality="medium", team="ops", domain="platform")
    incident_estate.run("idle", "SUCCESS", start=NOW - 60 * H, minutes=10)  # fresh until 11-18 02:10
    body = api.get("/api/incidents/daily?hours=24&pipeline_id=idle").json()
    assert body["earlier"] == {"sev1": 0, "sev2": 0, "sev3": 0, "sev4": 1, "incidents": 1}
    assert [(d["date"], d["incidents"]) for d in body["days"]] == [("2026-11-19", 0), ("2026-11-20", 0)]
    assert body["incidents"] == api.get("/api/incidents?pipeline_id=idle").json()["total"] == 1
    assert api.get("/api/incidents/daily?hours=0").status_code == 400


def test_pages_of_failed_runs_are_the_window_s_failed_runs_newest_first(api, telemetry):
    """Failed runs are read once per page (counts per pipeline and the newest offset + limit in full):
    every page and count equals what the window's failed runs give, ordered newest first then by id."""
    t = telemetry
    t.pipeline("x", criticality="high")
    t.pipeline("y", criticality="low")
    runs = [
        t.run(("x", "y")[i % 2], "FAILED", ago=(i % 9) * 2 * H + H, minutes=5, run_id=f"f{i:02d}",
              error_code=f"E{i}", error_message=f"failure {i}", attempt=i % 3 + 1)
        for i in range(22)
    ]  # fmt: skip
    runs.append(t.run("x", "FAILED", ago=2 * H, run_id="no-end", end_ts=None, duration_seconds=None))
    t.run("y", "FAILED", ago=30 * H, run_id="too-old")
    t.run("y", "SUCCESS", ago=H, run_id="fine")
    window = sorted(runs, key=lambda r: (r["end_ts"] or r["start_ts"], r["run_id"]), reverse=True)
    for offset, limit in ((0, 5), (5, 7), (19, 10), (30, 5)):
        body = api.get(f"/api/incidents?kind=run_failed&offset={offset}&limit={limit}").json()
        assert [i["incident_id"] for i in body["items"]] == [
            f"run:{r['run_id']}" for r in window[offset : offset + limit]
        ]
        assert body["total"] == len(window)
        assert body["by_severity"] == {"sev1": 0, "sev2": 0, "sev3": 12, "sev4": 11}
    first = api.get("/api/incidents?kind=run_failed&limit=1").json()["items"][0]
    run = window[0]
    assert (first["error_code"], first["error_message"], first["attempt"], first["ended_ts"]) == (
        run["error_code"], run["error_message"], run["attempt"], iso(run["end_ts"])
    )  # fmt: skip


def test_pages_of_sla_breaches_show_each_breach_in_full(api, telemetry, statements):
    """SLA breaches are counted and ordered from one read, which carries the SLA answer of the newest a
    page can show: every page equals the same slice of one long page, breach numbers included, and
    reads no more statements than the first."""
    t = telemetry
    for i in range(12):
        t.pipeline(f"s{i:02d}", criticality=("critical", "high", "medium", "low")[i % 4])
        t.run(f"s{i:02d}", "SUCCESS", start=NOW - (3 + i % 5) * H, minutes=10)  # freshness 120 min
    for i in range(4):
        t.pipeline(f"r{i}", criticality="high")
        t.run(f"r{i}", "SUCCESS", ago=20 * timedelta(minutes=1))
        t.run(f"r{i}", "FAILED", ago=(2 + i) * 2 * H, minutes=5, run_id=f"fail{i}")
    everything = api.get("/api/incidents?limit=100").json()
    assert everything["total"] == 20 and len(everything["items"]) == 20  # r*: a failed run, a ratio breach
    breaches = [i for i in everything["items"] if i["kind"] == "sla_breach"]
    assert len(breaches) == 16 and all(
        b["sla"]["freshness_sla_minutes"] == 120 and b["reasons"] for b in breaches
    )
    assert all(b["pipeline_name"] for b in breaches)
    statements.clear()
    api.get("/api/incidents?offset=0&limit=3")
    first_page = len(statements)
    for offset, limit in ((3, 4), (7, 5), (12, 10), (19, 1), (25, 5)):
        statements.clear()
        body = api.get(f"/api/incidents?offset={offset}&limit={limit}").json()
        assert body["items"] == everything["items"][offset : offset + limit]
        assert len(statements) == first_page
    sev = api.get("/api/incidents?severity=sev3&kind=sla_breach").json()
    assert sev["items"] == [i for i in breaches if i["severity"] == "sev3"]
