"""Datasets: the catalogue by (namespace, name), one dataset's detail (schema, producers, consumers,
facets), and the stale list. A dataset is stale when it has a freshness SLA and its last update is
older than that (never updated counts as stale); the summary's `stale_datasets` is this list's total.
A dataset is deleted when its newest lifecycleStateChange is a DROP no later write has followed."""

import orjson

from controltower.api.errors import ApiError

from . import queries as q
from .ingest import datasets as ol

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


# -- the catalogue: every dataset by (namespace, name) ---------------------------------------------
def _platform(namespace: str | None) -> str | None:
    scheme, sep, _ = (namespace or "").partition("://")
    return scheme.lower() if sep and scheme else None


def _row(row: dict) -> dict:
    dropped = row.pop("dropped_ts", None)
    updated = row.get("last_updated_ts")
    row["deleted"] = dropped is not None and (updated is None or updated <= dropped)
    row["deleted_ts"] = q.aware(dropped) if row["deleted"] else None
    row["last_updated_ts"] = q.aware(updated)
    row["platform"] = _platform(row.get("namespace"))
    if row.get("freshness_sla_minutes") is not None:
        row["freshness_sla_minutes"] = int(row["freshness_sla_minutes"])
    return row


def list_datasets(
    *, offset: int, limit: int, namespace=None, name=None, platform=None, kind=None, deleted=None
) -> tuple[list, int]:
    """A page of datasets by name, then namespace, and the total."""
    rows, total = q.fetch_page(
        "datasets_page", offset=offset, limit=limit, namespace=namespace,
        name_part=name.lower() if name else None, platform=platform.lower() if platform else None,
        kind=kind, deleted=deleted,
    )  # fmt: skip
    return [_row(r) for r in rows], total


def require_dataset(dataset_id: str) -> dict:
    """The dataset's row (a path's id resolves to the table its symlinks name), or a 404."""
    row = q.fetch_one("dataset_by_id", dataset_id=dataset_id)
    if row is None:
        raise ApiError(
            404, "not_found", f"No dataset {dataset_id[:200]!r}.", {"dataset_id": dataset_id[:200]}
        )
    row.pop("deleted", None)
    return _row(row)


def _node(row: dict) -> dict:
    return {k: row[k] for k in ("id", "name", "namespace", "kind", "team", "owner")}


def get_dataset(dataset_id: str) -> dict:
    """One dataset: identity, schema fields, producers, consumers, the facets kept, deletion."""
    row = require_dataset(dataset_id)
    found = row["dataset_id"]
    facets = {r["facet"]: r for r in q.fetch_all("dataset_facets", dataset_id=found)}
    values = {name: orjson.loads(r["value"]) for name, r in facets.items()}
    links = q.fetch_all("dataset_symlinks", dataset_id=found)
    neighbours = q.fetch_all("dataset_neighbours", dataset_id=found)
    order = lambda r: (r["kind"] != "pipeline", r["name"] or "", r["id"])  # noqa: E731
    return {
        **row,
        "resolved_from": dataset_id if dataset_id != found else None,
        "description": ol.description(values),
        "fields": ol.schema_fields(values),
        "producers": [_node(r) for r in sorted(neighbours, key=order) if r["role"] == "producer"],
        "consumers": [_node(r) for r in sorted(neighbours, key=order) if r["role"] == "consumer"],
        "symlinks": [
            {"dataset_id": r["alias_id"], "namespace": r["alias_namespace"], "name": r["alias_name"]}
            for r in links
        ],
        "facets": {
            name: {"event_time": q.aware(r["event_ts"]), "value": values[name]} for name, r in facets.items()
        },
    }
