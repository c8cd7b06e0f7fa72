"""The pipeline catalogue: list with 7-day run stats and the latest run, one pipeline, 404s."""

from datetime import timedelta

from controltower.api.errors import ApiError

from . import queries as q

CRITICALITIES = ("critical", "high", "medium", "low")
RUN_STATUSES = ("SUCCESS", "FAILED", "RUNNING", "ABORTED")
CRITICALITY_RANK = {c: i for i, c in enumerate(CRITICALITIES)}
# Separates the ids of a `pipeline_ids` filter inside one bind value (never part of an id we store).
ID_SEP = "\x1f"
MAX_IDS = 500
MAX_KEYS = 1_000_000  # pipeline_keys answers every pipeline; this only bounds the statement
KEY_FIELDS = (
    "pipeline_id", "pipeline_name", "namespace", "is_active", "team", "domain", "criticality",
    "runs_7d", "failures_7d", "last_status", "last_start_ts", "last_end_ts",
)  # fmt: skip


class PipelineNotFound(ApiError):
    def __init__(self, pipeline_id: str):
        super().__init__(
            404,
            "not_found",
            f"No pipeline {pipeline_id[:200]!r} in this source.",
            {"pipeline_id": pipeline_id[:200]},
        )


def require_pipeline(pipeline_id: str) -> dict:
    """The PIPELINES row, or a 404 envelope."""
    row = q.fetch_one("pipeline_by_id", pipeline_id=pipeline_id)
    if row is None:
        raise PipelineNotFound(pipeline_id)
    return row


def _item(row: dict) -> dict:
    for key in ("created_ts", "last_end_ts", "last_start_ts"):
        row[key] = q.aware(row.get(key))
    for key in ("runs_7d", "failures_7d"):
        row[key] = int(row[key] or 0)
    for key in ("expected_interval_minutes", "freshness_sla_minutes", "max_duration_minutes"):
        row[key] = None if row.get(key) is None else int(row[key])
    row["is_active"] = True if row.get("is_active") is None else bool(row["is_active"])
    row["tags"] = [t.strip() for t in (row.get("tags") or "").split(",") if t.strip()]
    return row


def list_pipelines(
    *,
    offset: int,
    limit: int,
    team: str | None = None,
    domain: str | None = None,
    criticality: str | None = None,
    status: str | None = None,
    search: str | None = None,
    pipeline_id: str | None = None,
    pipeline_ids: list[str] | None = None,
) -> tuple[list[dict], int]:
    """A page of pipelines ordered by id. `status` filters on the latest run's status; `search`
    is a case-insensitive substring of the id or the name; `pipeline_ids` keeps only those ids."""
    now = q.now_naive()
    rows, total = q.fetch_page(
        "pipeline_list",
        offset=offset,
        limit=limit,
        now=now,
        since=now - timedelta(days=7),
        pipeline_id=pipeline_id,
        team=team,
        domain=domain,
        criticality=criticality,
        status=status,
        search=search.lower() if search else None,
        pipeline_ids=ID_SEP + ID_SEP.join(pipeline_ids) + ID_SEP if pipeline_ids else None,
        id_sep=ID_SEP,
    )
    return [_item(r) for r in rows], total


def pipeline_keys(**filters) -> dict:
    """Every pipeline that passes `filters` (as list_pipelines takes them), reduced to what a
    control tier needs to merge several sources' catalogues into one exact, pageable list:
    identity (id, name, namespace), activity and the sortable columns. Compact: a header and rows."""
    rows, total = list_pipelines(offset=0, limit=MAX_KEYS, **filters)
    items = [[_plain(row[f]) for f in KEY_FIELDS] for row in rows]
    return {"columns": list(KEY_FIELDS), "items": items, "total": total, "complete": len(rows) == total}


def _plain(value):
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def get_pipeline(pipeline_id: str) -> dict:
    """The pipeline's row, with the parent jobs its runs' OpenLineage `parent` facets named."""
    rows, _ = list_pipelines(offset=0, limit=1, pipeline_id=pipeline_id)
    if not rows:
        raise PipelineNotFound(pipeline_id)
    parents = q.fetch_all("pipeline_parents", pipeline_id=pipeline_id)
    return {
        **rows[0],
        "parent_pipelines": [{**p, "last_seen_ts": q.aware(p["last_seen_ts"])} for p in parents],
    }
