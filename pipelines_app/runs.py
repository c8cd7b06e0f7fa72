"""A pipeline's run history, newest first (start_ts DESC, run_id DESC: stable across pages)."""

from . import queries as q
from .pipelines import require_pipeline


def _item(row: dict) -> dict:
    row["start_ts"] = q.aware(row["start_ts"])
    row["end_ts"] = q.aware(row["end_ts"])
    for key in ("duration_seconds", "rows_processed", "attempt"):
        row[key] = None if row.get(key) is None else int(row[key])
    row["cost_aud"] = None if row.get("cost_aud") is None else q.money(row["cost_aud"])
    return row


def list_runs(pipeline_id: str, *, offset: int, limit: int) -> tuple[list[dict], int]:
    require_pipeline(pipeline_id)
    rows, total = q.fetch_page("pipeline_runs", offset=offset, limit=limit, pipeline_id=pipeline_id)
    return [_item(r) for r in rows], total


def get_run(run_id: str) -> dict | None:
    """One run by id, timestamps as stored (naive UTC), or None."""
    return q.fetch_one("run_by_id", run_id=run_id)


def run_history(pipeline_id: str, *, since, until, error_code: str | None = None) -> dict:
    """Run, failure and same-error counts for a pipeline in [since, until], and its last success."""
    row = q.fetch_one(
        "run_history", pipeline_id=pipeline_id, since=since, until=until, error_code=error_code or ""
    )
    row = row or {}
    return {
        "runs": int(row.get("runs") or 0),
        "failures": int(row.get("failures") or 0),
        "same_error_code": int(row.get("same_error_code") or 0) if error_code else None,
        "last_success_end_ts": q.aware(row.get("last_success_end_ts")),
    }
