"""Datasets: the stale list. A dataset is stale when it has a freshness SLA and its last update is
older than that (never updated counts as stale); the summary's `stale_datasets` is this list's total."""

from . import queries as q

KINDS = ("table", "view", "dashboard", "report", "ml_model")


def stale_datasets(*, offset: int, limit: int, team=None, kind=None, criticality=None) -> tuple[list, int]:
    """A page of stale datasets, most overdue first (never updated last), and the total."""
    rows, total = q.fetch_page(
        "stale_datasets",
        offset=offset,
        limit=limit,
        now=q.now_naive(),
        team=team,
        kind=kind,
        criticality=criticality,
    )
    for row in rows:
        row["last_updated_ts"] = q.aware(row.get("last_updated_ts"))
        for key in ("freshness_sla_minutes", "overdue_minutes"):
            row[key] = None if row.get(key) is None else int(row[key])
    return rows, total


def stale_count() -> int:
    return stale_datasets(offset=0, limit=1)[1]
