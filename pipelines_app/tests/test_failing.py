"""The `failing_pipelines` query (summary's top impacted assets): active pipelines whose latest
finished run failed, latest by start_ts and then run_id."""

from datetime import timedelta

from pipelines_app import queries as q
from testsupport.warehouse import NOW

H = timedelta(hours=1)


def test_latest_finished_run_decides_and_ties_break_on_run_id(telemetry):
    t = telemetry
    same = NOW - 2 * H
    t.pipeline("tie_failed")  # same start: the larger run id failed
    t.run("tie_failed", "SUCCESS", start=same, run_id="a-1")
    t.run("tie_failed", "FAILED", start=same, run_id="a-2")
    t.pipeline("tie_ok")  # same start: the larger run id succeeded
    t.run("tie_ok", "FAILED", start=same, run_id="b-1")
    t.run("tie_ok", "ABORTED", start=same, run_id="b-2")
    t.pipeline("recovered")
    t.run("recovered", "FAILED", ago=3 * H)
    t.run("recovered", "SUCCESS", ago=2 * H)
    t.pipeline("retrying")  # a retry in flight does not hide the failure
    t.run("retrying", "FAILED", ago=3 * H)
    t.run("retrying", "RUNNING", ago=H)
    t.pipeline("only_failed")
    t.run("only_failed", "FAILED", ago=40 * 24 * H)
    t.pipeline("future")  # the failure starts after "now": not seen yet
    t.run("future", "SUCCESS", ago=3 * H)
    t.run("future", "FAILED", start=NOW + H)
    t.pipeline("retired", is_active=False)
    t.run("retired", "FAILED", ago=H)
    rows = q.fetch_all("failing_pipelines", now=NOW)
    assert [r["pipeline_id"] for r in rows] == ["only_failed", "retrying", "tie_failed"]
