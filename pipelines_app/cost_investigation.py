"""Investigate one pipeline's cost anomaly: the facts an operator needs on one page, and
deterministic next actions, each stated with the fact behind it.

Bundle: the anomaly row for the latest usage day (cost_anomalies), the daily trend over the
baseline, the costliest runs that day, related incidents (since the day before), baseline deltas
(cost, runs/day, cost per run), the change against the previous day, warehouses used, the
pipeline's policy and DQ standing (asked of the CT_PIPELINE_STANDING_PROVIDER setting: governance
sits above this module), a triage prefill and `degraded`/`warnings` when the facts are incomplete
(no cost that day, too short a baseline).
"""

import math
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import incidents
from . import queries as q
from .cost_anomalies import DEFAULT_BASELINE_DAYS, MIN_BASELINE_DAYS, latest_day, list_anomalies
from .costs import daily_series
from .pipelines import require_pipeline

TOP_RUNS = 5
RELATED_INCIDENTS = 10


def _pct(new: float | None, old: float | None) -> float | None:
    return None if not old or new is None else round(100 * (new - old) / old, 1)


def _top_runs(pipeline_id: str, day) -> list[dict]:
    rows = q.fetch_all("cost_top_runs", pipeline_id=pipeline_id, day=day, limit=TOP_RUNS)
    for r in rows:
        r["cost_aud"] = q.money(r["cost_aud"])
        r["credits_used"] = q.num(r["credits_used"], 4)
        r["start_ts"], r["end_ts"] = q.aware(r["start_ts"]), q.aware(r["end_ts"])
        for key in ("duration_seconds", "rows_processed", "attempt"):
            r[key] = None if r[key] is None else int(r[key])
    return rows


def _warehouses(pipeline_id: str, day, baseline_days: int) -> list[dict]:
    rows = q.fetch_all(
        "cost_warehouses",
        pipeline_id=pipeline_id,
        day=day,
        baseline_start=day - timedelta(days=baseline_days),
    )
    return [
        {
            "warehouse_name": r["warehouse_name"],
            "latest_cost_aud": q.money(r["latest_cost_aud"]),
            "baseline_cost_aud": q.money(r["baseline_cost_aud"]),
            "new_in_latest_day": int(r["latest_rows"]) > 0 and int(r["baseline_rows"]) == 0,
        }
        for r in rows
    ]


def _deltas(a: dict | None) -> dict | None:
    if not a or a["baseline_median_aud"] is None:
        return None
    per_run = a["latest_cost_aud"] / a["latest_runs"] if a["latest_runs"] else None
    base_per_run = a["baseline_cost_per_run_aud"]
    return {
        "latest_cost_aud": a["latest_cost_aud"],
        "baseline_median_aud": a["baseline_median_aud"],
        "baseline_mad_aud": a["baseline_mad_aud"],
        "delta_aud": a["delta_aud"],
        "delta_pct": _pct(a["latest_cost_aud"], a["baseline_median_aud"]),
        "ratio": a["ratio"],
        "robust_z": a["robust_z"],
        "latest_runs": a["latest_runs"],
        "baseline_runs_per_day": a["baseline_runs_per_day"],
        "runs_delta_pct": _pct(a["latest_runs"], a["baseline_runs_per_day"]),
        "latest_cost_per_run_aud": None if per_run is None else q.money(per_run),
        "baseline_cost_per_run_aud": base_per_run,
        "cost_per_run_delta_pct": _pct(per_run, base_per_run),
    }


def _fraction(part: float | None, whole: float | None) -> float | None:
    """part / whole (e.g. 0.35 for 35 % over the baseline), or None without a whole."""
    return round(part / whole, 4) if part is not None and whole else None


def _standing(pipeline: dict) -> dict:
    path = getattr(settings, "CT_PIPELINE_STANDING_PROVIDER", "")
    return import_string(path)(pipeline) if path else {"policy_pressure": None, "dq_pressure": None}


def _day_change(trend: list[dict]) -> dict:
    cur, prev = trend[-1], trend[-2] if len(trend) > 1 else {"date": None, "cost_aud": 0.0}
    return {
        "date": cur["date"],
        "previous_date": prev["date"],
        "cost_aud": cur["cost_aud"],
        "previous_cost_aud": prev["cost_aud"],
        "delta_aud": q.money(cur["cost_aud"] - prev["cost_aud"]),
        "delta_pct": _pct(cur["cost_aud"], prev["cost_aud"]),
    }


def _actions(pipeline: dict, anomaly, deltas, runs, warehouses, related) -> list[dict]:
    pid, actions = pipeline["pipeline_id"], []
    if anomaly and not anomaly["is_anomaly"]:
        actions.append(
            {"action": "No anomaly flagged: keep monitoring.", "reason": f"ratio {anomaly['ratio']}x"}
        )
    if deltas and (deltas["runs_delta_pct"] or 0) >= 50:
        actions.append(
            {
                "action": "Look for retries, backfills or a duplicated schedule.",
                "reason": f"{deltas['latest_runs']} runs vs {deltas['baseline_runs_per_day']}/day before",
            }
        )
    if deltas and (deltas["cost_per_run_delta_pct"] or 0) >= 50 and runs:
        actions.append(
            {
                "action": f"Check data volume and warehouse size of run {runs[0]['run_id']}.",
                "reason": (
                    f"cost per run {deltas['latest_cost_per_run_aud']} AUD"
                    f" vs {deltas['baseline_cost_per_run_aud']} AUD before"
                ),
            }
        )
    for wh in (w for w in warehouses if w["new_in_latest_day"]):
        actions.append(
            {
                "action": f"Confirm the move to warehouse {wh['warehouse_name']} was intended.",
                "reason": "not in baseline",
            }
        )
    failed = next((i for i in related if i["kind"] == "run_failed"), None)
    if failed:
        actions.append(
            {
                "action": f"Triage failed run {failed['run_id']}: failures and their retries are billed.",
                "reason": f"{failed['error_code'] or 'no error code'} at {failed['detected_ts'].isoformat()}",
            }
        )
    if anomaly and anomaly["is_anomaly"]:
        actions.append(
            {
                "action": f"Tell the owner ({pipeline['owner'] or 'unknown'}, team {pipeline['team']}).",
                "reason": "anomaly",
            }
        )
    actions.append({"action": f"Review the daily cost at /api/pipelines/{pid}/cost.", "reason": "trend"})
    return actions


def _prefill(pipeline_id: str, runs: list[dict], related: list[dict]) -> dict:
    failed = next((i for i in related if i["kind"] == "run_failed"), None)
    run = failed or (runs[0] if runs else {})
    return {
        "source": getattr(settings, "CT_SOURCE_NAME", None),
        "pipeline_id": pipeline_id,
        "run_id": run.get("run_id"),
        "error_code": run.get("error_code"),
        "error_message": run.get("error_message"),
    }


def investigate(pipeline_id: str, *, baseline_days: int = DEFAULT_BASELINE_DAYS) -> dict:
    pipeline = require_pipeline(pipeline_id)
    warnings: list[str] = []
    day = latest_day()
    if day is None:
        warnings.append("No cost data in this source.")
        day = q.now_naive().date()
    rows, _, _ = list_anomalies(
        offset=0, limit=1, baseline_days=baseline_days, anomaly_only=False, pipeline_id=pipeline_id, day=day
    )
    anomaly = rows[0] if rows else None
    if anomaly is None:
        warnings.append(f"No cost for {pipeline_id} on {day.isoformat()}, the latest usage day.")
    elif anomaly["baseline_days_observed"] < MIN_BASELINE_DAYS:
        warnings.append(
            f"Baseline has {anomaly['baseline_days_observed']} day(s) with cost; {MIN_BASELINE_DAYS} needed."
        )
    trend = daily_series(baseline_days + 1, pipeline_id=pipeline_id, end=day)
    runs = _top_runs(pipeline_id, day)
    warehouses = _warehouses(pipeline_id, day, baseline_days)
    since = datetime.combine(day - timedelta(days=1), time.min)
    hours = min(incidents.MAX_HOURS, max(1, math.ceil((q.now_naive() - since).total_seconds() / 3600)))
    related = incidents.collect(hours=hours, pipeline_id=pipeline_id)[:RELATED_INCIDENTS]
    deltas = _deltas(anomaly)
    day_change = _day_change(trend)
    return {
        "pipeline_id": pipeline_id,
        "pipeline": {
            k: pipeline[k] for k in ("pipeline_name", "team", "domain", "owner", "criticality", "runbook_url")
        },
        "date": day,
        "baseline_days": baseline_days,
        "anomaly": anomaly,
        "trend": {"items": trend},
        "top_cost_runs": runs,
        "related_incidents": related,
        "baseline_deltas": deltas,
        "baseline_delta_aud": deltas["delta_aud"] if deltas else None,
        "baseline_delta_ratio": _fraction(deltas["delta_aud"], deltas["baseline_median_aud"])
        if deltas
        else None,
        "recent_24h_change": day_change,
        "recent_change_24h_aud": day_change["delta_aud"],
        **_standing(pipeline),
        "warehouses": warehouses,
        "recommended_next_actions": _actions(pipeline, anomaly, deltas, runs, warehouses, related),
        "triage_prefill": _prefill(pipeline_id, runs, related),
        "degraded": bool(warnings),
        "warnings": warnings,
        "generated_at": timezone.now(),
    }
