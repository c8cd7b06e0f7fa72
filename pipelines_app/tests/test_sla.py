"""SLA status rules (pipelines_app/sla.py) on small inputs, without a warehouse: where a breach
ratio or a freshness lag tips a pipeline from ok to at risk to breached, what counts as a breached
run, and which thresholds apply."""

from datetime import datetime, timedelta

import pytest

from pipelines_app.sla import (
    DEFAULT_MAX_BREACH_RATIO,
    SlaThresholds,
    _assess,
    _run_counts,
    _status,
    _window_counts,
    own_thresholds,
    sla_thresholds,
)

NOW = datetime(2026, 11, 20, 12, 0)
# freshness 100 min (at risk past 80), max duration 30 min, breach ratio 0.1 (at risk past 0.05)
LIMITS = SlaThresholds(freshness_sla_minutes=100, max_duration_minutes=30, max_breach_ratio=0.1, source="t")


@pytest.mark.parametrize(
    "ratio, status, reasons",
    [
        (0.0, "ok", []),
        (0.05, "ok", []),  # exactly half the limit: not yet at risk
        (0.0501, "at_risk", ["breach_ratio_at_risk"]),
        (0.1, "at_risk", ["breach_ratio_at_risk"]),  # exactly the limit: not breached
        (0.1001, "breached", ["breach_ratio_exceeded"]),
        (None, "ok", []),  # no finished runs: no ratio, no verdict from it
    ],
)
def test_breach_ratio_on_and_around_its_limit(ratio, status, reasons):
    assert _status(LIMITS, lag=10, ratio=ratio, running_over=False) == (status, reasons)


@pytest.mark.parametrize(
    "lag, status, reasons",
    [
        (80, "ok", []),  # exactly 80 % of the SLA
        (80.1, "at_risk", ["freshness_at_risk"]),
        (100, "at_risk", ["freshness_at_risk"]),  # exactly the SLA: late is after it
        (100.1, "breached", ["freshness_breached"]),
        (None, "at_risk", ["no_successful_run"]),
    ],
)
def test_freshness_lag_on_and_around_the_sla(lag, status, reasons):
    assert _status(LIMITS, lag=lag, ratio=None, running_over=False) == (status, reasons)


def test_without_a_freshness_sla_any_lag_is_fresh():
    limits = SlaThresholds(None, 30, 0.1, source="t")
    assert _status(limits, lag=100_000, ratio=0.0, running_over=False) == ("ok", [])


def test_breached_reasons_come_before_at_risk_ones():
    status, reasons = _status(LIMITS, lag=90, ratio=0.5, running_over=True)
    assert status == "breached"
    assert reasons == ["breach_ratio_exceeded", "freshness_at_risk", "running_over_max_duration"]


def histogram_row(status, duration_min, runs=1, last_ts=None):
    return {"status": status, "duration_min": duration_min, "runs": runs, "last_ts": last_ts}


def test_failed_aborted_and_too_long_runs_breach_and_the_limit_itself_does_not():
    rows = [
        histogram_row("SUCCESS", 30, runs=5, last_ts=NOW - timedelta(hours=1)),  # exactly the max
        histogram_row("SUCCESS", 31, last_ts=NOW - timedelta(hours=5)),
        histogram_row("FAILED", 2, runs=2, last_ts=NOW - timedelta(hours=3)),
        histogram_row("ABORTED", 1, last_ts=NOW - timedelta(hours=9)),
    ]
    assert _run_counts(rows, LIMITS) == (9, 4, NOW - timedelta(hours=3))


def test_without_a_max_duration_only_failures_breach():
    rows = [histogram_row("SUCCESS", 600, runs=3), histogram_row("FAILED", 1, last_ts=NOW)]
    assert _run_counts(rows, SlaThresholds(100, None, 0.1, source="t")) == (4, 1, NOW)


def test_window_counts_add_failed_and_long_runs_and_take_the_later_breach():
    row = {
        "runs": 10,
        "failed_runs": 1,
        "long_runs": 2,
        "last_failed_ts": NOW - timedelta(days=2),
        "last_long_ts": NOW - timedelta(days=1),
    }
    assert _window_counts(row) == (10, 3, NOW - timedelta(days=1))
    assert _window_counts({**row, "last_long_ts": None}) == (10, 3, NOW - timedelta(days=2))
    assert _window_counts(None) == (0, 0, None)
    assert _window_counts({**row, "runs": 0}) == (0, 0, None)


def test_assessment_from_counts_and_run_state():
    pipeline = {"created_ts": NOW - timedelta(days=30)}
    state = {"last_success_ts": NOW - timedelta(minutes=90), "running_since_ts": NOW - timedelta(minutes=31)}
    a = _assess(pipeline, LIMITS, (3, 1, NOW - timedelta(hours=2)), state, NOW)
    assert (a["ratio"], a["lag"]) == (0.3333, 90.0)
    assert a["status"] == "breached"
    assert a["reasons"] == ["breach_ratio_exceeded", "freshness_at_risk", "running_over_max_duration"]


def test_a_run_at_exactly_the_max_duration_is_not_running_over():
    state = {"last_success_ts": NOW, "running_since_ts": NOW - timedelta(minutes=30)}
    assert _assess({}, LIMITS, (0, 0, None), state, NOW)["reasons"] == []


def test_a_pipeline_that_never_succeeded_lags_from_its_creation():
    a = _assess({"created_ts": NOW - timedelta(minutes=150)}, LIMITS, (2, 2, NOW), {}, NOW)
    assert (a["lag"], a["ratio"], a["status"]) == (150.0, 1.0, "breached")
    assert a["reasons"] == ["freshness_breached", "breach_ratio_exceeded"]


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
