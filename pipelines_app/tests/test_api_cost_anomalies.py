"""GET /api/costs/anomalies and /api/costs/anomalies/investigate/{pipeline_id}."""

from datetime import datetime, time, timedelta

import pytest

from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW
from testsupport.warehouse import duckdb_only

TODAY = NOW.date()
SPIKY_BASELINE = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 10]  # median 10, MAD 0.5


def day(n: int):
    return TODAY - timedelta(days=n)


@pytest.fixture
def cost_anomaly_estate(telemetry):
    t = telemetry
    t.pipeline("spiky", team="data", domain="sales", criticality="critical", owner="ana@example.com")
    t.pipeline("flat", team="data", domain="finance")
    t.pipeline("steady", team="web", domain="sales")
    t.pipeline("newbie", team="web", domain="sales")
    for n, cost in enumerate(SPIKY_BASELINE, start=1):
        t.cost("spiky", day(n), cost)
        t.cost("flat", day(n), 10)
        t.cost("steady", day(n), 20)
    t.cost("spiky", day(15), 500)  # older than the 14-day baseline
    # the latest day: spiky 45 over two runs (one failed, on a new warehouse); flat 25; steady 21
    start = datetime.combine(TODAY, time(1, 0))
    t.run("spiky", "SUCCESS", start=start, run_id="s-ok")
    t.run(
        "spiky",
        "FAILED",
        start=start + timedelta(hours=2),
        run_id="s-bad",
        error_code="SPILL",
        error_message="disk",
    )
    t.cost("spiky", TODAY, 12, run_id="s-ok")
    t.cost("spiky", TODAY, 33, run_id="s-bad", warehouse_name="XL_WH")
    t.cost("flat", TODAY, 25)
    t.cost("steady", TODAY, 21)
    t.cost("newbie", TODAY, 99)
    return t


def test_injected_anomalies_are_found_with_their_ratio(api, cost_anomaly_estate):
    body = api.get("/api/costs/anomalies").json()
    assert body["date"] == str(TODAY) and body["baseline_days"] == 14
    assert [(i["pipeline_id"], i["ratio"], i["severity"]) for i in body["items"]] == [
        ("spiky", 4.5, "high"),
        ("flat", 2.5, "medium"),
    ]
    spiky, flat = body["items"]
    assert (spiky["latest_cost_aud"], spiky["baseline_median_aud"], spiky["baseline_mad_aud"]) == (
        45.0,
        10.0,
        0.5,
    )
    assert spiky["robust_z"] == round(35 / (1.4826 * 0.5), 2)
    assert (spiky["delta_aud"], spiky["baseline_days_observed"], spiky["latest_runs"]) == (35.0, 14, 2)
    assert (spiky["team"], spiky["domain"], spiky["is_anomaly"]) == ("data", "sales", True)
    assert flat["robust_z"] is None  # MAD 0: any 1.5x rise counts
    assert body["total"] == 2


def test_anomaly_only_false_lists_every_scored_pipeline(api, cost_anomaly_estate):
    body = api.get("/api/costs/anomalies?anomaly_only=false").json()
    rows = [(i["pipeline_id"], i["ratio"], i["is_anomaly"]) for i in body["items"]]
    assert rows == [
        ("spiky", 4.5, True),
        ("flat", 2.5, True),
        ("steady", 1.05, False),
        ("newbie", None, False),
    ]


def test_filters(api, cost_anomaly_estate):
    def ids(query):
        return [i["pipeline_id"] for i in api.get(f"/api/costs/anomalies?{query}").json()["items"]]

    assert ids("min_ratio=3") == ["spiky"]
    assert ids("min_ratio=1&anomaly_only=false") == ["spiky", "flat", "steady"]
    assert ids("team=data&domain=finance") == ["flat"]
    assert ids("team=web") == []
    assert ids("offset=1&limit=1") == ["flat"]


def test_shorter_baseline(api, cost_anomaly_estate):
    body = api.get("/api/costs/anomalies?baseline_days=3&anomaly_only=false&min_ratio=4").json()
    (spiky,) = body["items"]
    assert (spiky["baseline_days_observed"], spiky["baseline_median_aud"], spiky["ratio"]) == (3, 10.0, 4.5)


@duckdb_only
@pytest.mark.parametrize(
    "query", ["min_ratio=abc", "min_ratio=-1", "min_ratio=nan", "anomaly_only=maybe", "baseline_days=2",
              "baseline_days=91", "limit=501"]
)  # fmt: skip
def test_bad_parameters_are_400(api, cost_anomaly_estate, query):
    assert api.get(f"/api/costs/anomalies?{query}").json()["error"]["code"] == "invalid_parameter"


def test_no_cost_data(api, warehouse):
    body = api.get("/api/costs/anomalies").json()
    assert (body["items"], body["total"], body["date"]) == ([], 0, None)


def test_investigate_bundle(api, cost_anomaly_estate, settings):
    settings.CT_SOURCE_NAME = "aws"
    body = api.get("/api/costs/anomalies/investigate/spiky").json()
    assert body["date"] == str(TODAY) and body["degraded"] is False and body["warnings"] == []
    assert body["anomaly"]["ratio"] == 4.5 and body["anomaly"]["severity"] == "high"
    assert [(r["run_id"], r["cost_aud"], r["status"]) for r in body["top_cost_runs"]] == [
        ("s-bad", 33.0, "FAILED"),
        ("s-ok", 12.0, "SUCCESS"),
    ]
    assert [p["cost_aud"] for p in body["trend"]["items"]] == [*reversed(SPIKY_BASELINE), 45.0]
    assert body["recent_24h_change"] == {
        "date": str(TODAY), "previous_date": str(day(1)), "cost_aud": 45.0,
        "previous_cost_aud": 10.0, "delta_aud": 35.0, "delta_pct": 350.0,
    }  # fmt: skip
    # the document's names: 45 AUD against a 10 AUD median, 35 AUD more than the day before
    assert (body["baseline_delta_aud"], body["baseline_delta_ratio"], body["recent_change_24h_aud"]) == (
        35.0,
        3.5,
        35.0,
    )
    deltas = body["baseline_deltas"]
    assert (deltas["latest_runs"], deltas["baseline_runs_per_day"], deltas["runs_delta_pct"]) == (
        2,
        1.0,
        100.0,
    )
    base_per_run = round(sum(SPIKY_BASELINE) / 14, 2)  # one run a day in the baseline
    assert (deltas["latest_cost_per_run_aud"], deltas["baseline_cost_per_run_aud"]) == (22.5, base_per_run)
    assert deltas["cost_per_run_delta_pct"] == round(100 * (22.5 - base_per_run) / base_per_run, 1)
    # the failed run, and the SLA breach it caused (last success ended 01:10, freshness SLA 120 min)
    assert sorted(i["incident_id"] for i in body["related_incidents"]) == ["run:s-bad", "sla:spiky"]
    prefill = {"pipeline_id": "spiky", "run_id": "s-bad", "error_code": "SPILL", "error_message": "disk"}
    assert body["triage_prefill"] == {"source": "aws", **prefill}
    assert {
        "warehouse_name": "XL_WH",
        "latest_cost_aud": 33.0,
        "baseline_cost_aud": 0.0,
        "new_in_latest_day": True,
    } in (body["warehouses"])
    actions = " ".join(a["action"] for a in body["recommended_next_actions"])
    for expected in ("retries", "run s-bad", "XL_WH", "Triage failed run s-bad", "ana@example.com"):
        assert expected in actions


def test_investigate_shows_the_policy_and_dq_standing_governance_shows(api, cost_anomaly_estate):
    body = api.get("/api/costs/anomalies/investigate/spiky").json()
    policy = api.get("/api/policies/effective?pipeline_id=spiky").json()["items"][0]
    dq = api.get("/api/dq/effective?pipeline_id=spiky").json()["items"][0]
    pressure = body["policy_pressure"]
    assert (pressure["effective_profile"], pressure["breach_ratio_7d"], pressure["mismatch"]) == (
        policy["effective_profile"],
        policy["breach_ratio_7d"],
        policy["mismatch"],
    )
    assert pressure["breach_ratio_7d"] is not None  # the failed run counts
    assert (body["dq_pressure"]["status"], body["dq_pressure"]["failing_standards"]) == (
        dq["status"],
        dq["failing_standards"],
    )
    assert body["dq_pressure"]["pressure"] is (dq["status"] == "fail")
    assert body["policy_pressure"]["links"]["api"] == "/api/policies/effective?pipeline_id=spiky"


def test_investigate_without_governance_has_no_standing(api, cost_anomaly_estate, settings):
    settings.CT_PIPELINE_STANDING_PROVIDER = ""
    body = api.get("/api/costs/anomalies/investigate/spiky").json()
    assert (body["policy_pressure"], body["dq_pressure"]) == (None, None)


def test_investigate_without_baseline_is_degraded(api, cost_anomaly_estate):
    body = api.get("/api/costs/anomalies/investigate/newbie").json()
    assert body["degraded"] is True
    assert body["warnings"] == ["Baseline has 0 day(s) with cost; 3 needed."]
    assert body["baseline_deltas"] is None and body["anomaly"]["ratio"] is None


def test_investigate_without_cost_on_the_day(api, cost_anomaly_estate):
    cost_anomaly_estate.pipeline("idle")
    body = api.get("/api/costs/anomalies/investigate/idle").json()
    assert body["anomaly"] is None and body["degraded"] is True
    assert body["triage_prefill"]["run_id"] is None


def test_investigate_unknown_pipeline_is_404(api, cost_anomaly_estate):
    assert api.get("/api/costs/anomalies/investigate/nope").status_code == 404
    assert api.get("/api/costs/anomalies/investigate/spiky?baseline_days=0").status_code == 400


def test_anomaly_list_runs_a_fixed_number_of_statements(api, cost_anomaly_estate, statements):
    api.get("/api/costs/anomalies?anomaly_only=false")
    assert len(statements) == 2  # latest day, scored page
