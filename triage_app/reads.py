"""What triage reads from telemetry and governance.

Pipelines, impact and costs come from pipelines_app's public functions; runbook status from
governance_app. Three reads pipelines_app has no function for yet (one run by id, a pipeline's
run stats in a window, the cost booked against one run) are minimal SQL here, against
`get_warehouse()` in Snowflake dialect with `?` binds — to move into pipelines_app when it
offers them."""

from datetime import UTC, datetime, timedelta

from controltower.api.errors import ApiError
from governance_app.models import RunbookGovernance
from governance_app.runbooks import runbook_status
from pipelines_app import costs, impact, pipelines
from pipelines_app.queries import now_naive
from pipelines_app.warehouse import get_warehouse

RUN_SQL = """
SELECT run_id, pipeline_id, status, start_ts, end_ts, duration_seconds, rows_processed,
       error_code, error_message, trigger_type, attempt
FROM PIPELINE_RUNS
WHERE run_id = ?
ORDER BY start_ts DESC, pipeline_id
LIMIT 1
"""
HISTORY_SQL = """
SELECT COUNT(*) AS runs,
       COUNT_IF(status = 'FAILED') AS failures,
       COUNT_IF(status = 'FAILED' AND error_code = ?) AS same_error_code,
       MAX(IFF(status = 'SUCCESS', end_ts, NULL)) AS last_success_end_ts
FROM PIPELINE_RUNS
WHERE pipeline_id = ? AND start_ts >= ? AND start_ts <= ?
"""
RUN_COST_SQL = """
SELECT SUM(cost_aud) AS cost_aud, SUM(credits_used) AS credits_used, COUNT(*) AS cost_rows
FROM RUN_COSTS
WHERE run_id = ?
"""


def iso(value):
    """Warehouse timestamps (naive UTC) as ISO 8601 UTC text; other values unchanged."""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat().replace("+00:00", "Z")
    return value


def run(run_id: str) -> dict:
    row = get_warehouse().fetch_one(RUN_SQL, [run_id])
    if row is None:
        raise ApiError(
            404,
            "not_found",
            f"run_id: no run {run_id[:200]!r} in this source.",
            {"parameter": "run_id", "run_id": run_id},
        )
    return row


def pipeline(pipeline_id: str) -> dict:
    try:
        return pipelines.require_pipeline(pipeline_id)
    except pipelines.PipelineNotFound as exc:
        raise ApiError(
            404,
            "not_found",
            f"pipeline_id: no pipeline {pipeline_id[:200]!r} in this source.",
            {"parameter": "pipeline_id", "pipeline_id": pipeline_id},
        ) from exc


def history(pipeline_id: str, days: int, error_code: str | None) -> dict:
    now = now_naive()
    row = get_warehouse().fetch_one(
        HISTORY_SQL, [error_code or "", pipeline_id, now - timedelta(days=days), now]
    )
    row = row or {}
    return {
        "runs": int(row.get("runs") or 0),
        "failures": int(row.get("failures") or 0),
        "same_error_code": int(row.get("same_error_code") or 0) if error_code else None,
        "last_success_end_ts": iso(row.get("last_success_end_ts")),
    }


def pipeline_impact(pipeline_id: str) -> dict:
    return impact.pipeline_impact(pipeline_id)


def pipeline_cost(pipeline_id: str, days: int) -> dict:
    return costs.pipeline_cost(pipeline_id, days=days)


def run_cost(run_id: str) -> dict | None:
    row = get_warehouse().fetch_one(RUN_COST_SQL, [run_id])
    if not row or not row.get("cost_rows"):
        return None
    return {
        "cost_aud": round(float(row["cost_aud"] or 0), 2),
        "credits_used": round(float(row["credits_used"] or 0), 4),
    }


def runbook(pipeline_row: dict) -> dict:
    url = (pipeline_row.get("runbook_url") or "").strip()
    gov = RunbookGovernance.objects.filter(pipeline_id=pipeline_row["pipeline_id"]).first()
    return {
        "url": url or None,
        "status": str(runbook_status(url)),
        "governance_state": gov.state if gov else "none",
        "governance_owner": gov.owner if gov else "",
    }
