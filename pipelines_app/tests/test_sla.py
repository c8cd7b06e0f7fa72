"""SLA status rules (decided in SQL, pipelines_app/sla.py) on small estates: where a breach ratio
or a freshness lag tips a pipeline from ok to at risk to breached, what counts as a breached run,
and which thresholds apply."""

from datetime import timedelta

import pytest

from pipelines_app import sla
from pipelines_app.sla import DEFAULT_MAX_BREACH_RATIO, SlaThresholds, own_thresholds, sla_thresholds
from testsupport.warehouse import NOW

M = timedelta(minutes=1)
pytestmark = pytest.mark.usefixtures("at_now")


def sla_of(pipeline_id: str) -> dict:
    return sla.pipeline_sla(pipeline_id)


def with_runs(t, pid, ok: int, failed: int = 0, **limits) -> None:
    """A pipeline (freshness 100 min, max 30 min) whose last success ended 10 minutes ago."""
    t.pipeline(pid, freshness_sla_minutes=100, max_duration_minutes=30, **limits)
    for i in range(ok):
        t.run(pid, "SUCCESS", start=NOW - (20 + i) * M, minutes=10)
    for i in range(failed):
        t.run(pid, "FAILED", start=NOW - (200 + i) * M, minutes=1)


@pytest.mark.parametrize(
    "ok, failed, status, reasons",
    [
        (20, 0, "ok", []),
        (19, 1, "ok", []),  # exactly half the limit: not yet at risk
        (9, 1, "at_risk", ["breach_ratio_at_risk"]),  # exactly the limit: not breached
        (8, 1, "breached", ["breach_ratio_exceeded"]),
    ],
)
def test_breach_ratio_on_and_around_its_limit(telemetry, ok, failed, status, reasons):
    with_runs(telemetry, "p", ok, failed)
    row = sla_of("p")
    assert (row["status"], row["reasons"]) == (status, reasons)


@pytest.mark.parametrize(
    "lag, status, reasons",
    [
        (80, "ok", []),  # exactly 80 % of the SLA
        (80.5, "at_risk", ["freshness_at_risk"]),
        (100, "at_risk", ["freshness_at_risk"]),  # exactly the SLA: late is after it
        (100.5, "breached", ["freshness_breached"]),
    ],
)
def test_freshness_lag_on_and_around_the_sla(telemetry, lag, status, reasons):
    telemetry.pipeline("p", freshness_sla_minutes=100, max_duration_minutes=30)
    telemetry.run("p", "SUCCESS", start=NOW - lag * M - 10 * M, minutes=10)
    row = sla_of("p")
    assert (row["freshness_lag_minutes"], row["status"], row["reasons"]) == (lag, status, reasons)


def test_a_pipeline_that_never_succeeded_lags_from_its_creation(telemetry):
    telemetry.pipeline("p", freshness_sla_minutes=100, max_duration_minutes=30, created_ts=NOW - 150 * M)
    telemetry.run("p", "FAILED", start=NOW - 60 * M, minutes=1)
    row = sla_of("p")
    assert (row["freshness_lag_minutes"], row["breach_ratio"], row["status"]) == (150.0, 1.0, "breached")
    assert row["reasons"] == ["freshness_breached", "breach_ratio_exceeded"]


def test_without_a_freshness_sla_any_lag_is_fresh(telemetry):
    telemetry.pipeline("p", freshness_sla_minutes=None, max_duration_minutes=30)
    telemetry.run("p", "SUCCESS", start=NOW - timedelta(days=3), minutes=10)
    assert sla_of("p")["status"] == "ok"


def test_breached_reasons_come_before_at_risk_ones(telemetry):
    with_runs(telemetry, "p", 1, 2)
    telemetry.run("p", "SUCCESS", start=NOW - 90 * M - 10 * M, minutes=10)  # not the last success
    telemetry.run("p", "RUNNING", start=NOW - 31 * M)
    row = sla_of("p")
    assert row["status"] == "breached"
    assert row["reasons"] == ["breach_ratio_exceeded", "running_over_max_duration"]


def test_failed_aborted_and_too_long_runs_breach_and_the_limit_itself_does_not(telemetry):
    telemetry.pipeline("p", freshness_sla_minutes=1000, max_duration_minutes=30)
    for i in range(5):
        telemetry.run("p", "SUCCESS", start=NOW - (60 + i) * M - 30 * M, minutes=30)  # exactly the max
    telemetry.run("p", "SUCCESS", start=NOW - 5 * 60 * M - 31 * M, minutes=31)
    telemetry.run("p", "FAILED", start=NOW - 3 * 60 * M - 2 * M, minutes=2)
    telemetry.run("p", "ABORTED", start=NOW - 9 * 60 * M - M, minutes=1)
    row = sla_of("p")
    assert (row["runs_in_window"], row["breached_runs"]) == (8, 3)
    assert row["last_breached_run_ts"] == (NOW - 3 * 60 * M).replace(tzinfo=row["evaluated_at"].tzinfo)


def test_a_run_at_exactly_the_max_duration_is_not_running_over(telemetry):
    telemetry.pipeline("p", freshness_sla_minutes=100, max_duration_minutes=30)
    telemetry.run("p", "SUCCESS", start=NOW - 20 * M, minutes=10)
    telemetry.run("p", "RUNNING", start=NOW - 30 * M)
    assert sla_of("p")["reasons"] == []


def test_own_thresholds_are_the_pipeline_columns_with_the_default_ratio():
    own = own_thresholds({"freshness_sla_minutes": 120, "max_duration_minutes": None})
    assert own == SlaThresholds(120, None, DEFAULT_MAX_BREACH_RATIO, source="pipeline")
    assert own.limits() == {
        "freshness_sla_minutes": 120,
        "max_duration_minutes": None,
        "max_breach_ratio": 0.1,
    }


def test_an_assigned_profile_replaces_the_pipeline_columns_and_nothing_assigned_keeps_them():
    pipeline = {"pipeline_id": "p1", "freshness_sla_minutes": 120, "max_duration_minutes": 30}
    strict = SlaThresholds(60, 30, 0.02, source="strict")
    assert sla_thresholds(pipeline, lambda p: strict) is strict
    assert sla_thresholds(pipeline, lambda p: None).source == "pipeline"
