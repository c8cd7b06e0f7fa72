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
