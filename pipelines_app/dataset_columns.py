"""Column lineage of one dataset: each column (from its `schema` facet, and any column its
`columnLineage` facet names) with the upstream columns it is computed from and how (transformation
type and subtype: DIRECT / INDIRECT, IDENTITY / TRANSFORMATION / AGGREGATION / FILTER / JOIN ...).
Upstream datasets are named as producers report them, by (namespace, name): each resolves to the
stored dataset of that name (whatever its id scheme), else to its OpenLineage id; a path whose
symlinks name a table resolves to that table's dataset id."""

import orjson

from . import queries as q
from .datasets import require_dataset
from .ingest import datasets as ol
from .ingest.records import dataset_id_for


def dataset_columns(dataset_id: str, *, offset: int, limit: int) -> tuple[dict, list[dict], int]:
    """(the dataset's identity and facet times, a page of its columns, the number of columns)."""
    row = require_dataset(dataset_id)
    found = row["dataset_id"]
    kept = {r["facet"]: r for r in q.fetch_all("dataset_facets", dataset_id=found)}
    values = {
        name: orjson.loads(r["value"]) for name, r in kept.items() if name in ("schema", "columnLineage")
    }
    fields = ol.schema_fields(values)
    inputs = ol.column_inputs(values)
    names = [f["name"] for f in fields] + sorted(set(inputs) - {f["name"] for f in fields})
    by_name = {f["name"]: f for f in fields}
    resolved = _resolved({(i["namespace"], i["name"]) for ups in inputs.values() for i in ups})
    columns = [
        {
            "name": name,
            "type": by_name.get(name, {}).get("type"),
            "description": by_name.get(name, {}).get("description"),
            "in_schema": name in by_name,
            "upstream": [_upstream(i, resolved) for i in inputs.get(name, ())],
        }
        for name in names
    ]
    head = {
        "dataset_id": found,
        "namespace": row["namespace"],
        "name": row["name"],
        "schema_event_time": _time(kept.get("schema")),
        "lineage_event_time": _time(kept.get("columnLineage")),
    }
    return head, columns[offset : offset + limit], len(columns)


def _time(row: dict | None):
    return q.aware(row["event_ts"]) if row else None


def _resolved(named: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(namespace, name): dataset id} for the upstream datasets named."""
    if not named:
        return {}
    stored = q.fetch_in_chunks("datasets_by_name", "names", {name for _, name in named})
    found = {
        (r["namespace"], r["name"]): r["dataset_id"]
        for r in sorted(stored, key=lambda r: r["dataset_id"])[::-1]
    }
    ids = {pair: found.get(pair) or dataset_id_for(*pair) for pair in named}
    links = q.fetch_in_chunks("symlink_targets", "ids", set(ids.values()))
    table = {r["alias_id"]: r["dataset_id"] for r in links}
    return {pair: table.get(i, i) for pair, i in ids.items()}


def _upstream(source: dict, resolved: dict[tuple[str, str], str]) -> dict:
    return {
        "dataset_id": resolved[(source["namespace"], source["name"])],
        "namespace": source["namespace"],
        "name": source["name"],
        "field": source["field"],
        "transformation_type": source["type"],
        "transformation_subtype": source["subtype"],
        "description": source["description"],
        "masking": source["masking"],
    }
