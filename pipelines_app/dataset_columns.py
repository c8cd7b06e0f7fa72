"""Column lineage of one dataset: each column (from its `schema` facet, and any column its
`columnLineage` facet names) with the upstream columns it is computed from and how (transformation
type and subtype: DIRECT / INDIRECT, IDENTITY / TRANSFORMATION / AGGREGATION / FILTER / JOIN ...).
Upstream datasets are named as producers report them; a path whose symlinks name a table
resolves to that table's dataset id."""

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
    resolved = _resolved({dataset_id_for(i["namespace"], i["name"]) for ups in inputs.values() for i in ups})
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


def _resolved(ids: set[str]) -> dict[str, str]:
    """{path id: table id} for the ids a symlink resolves."""
    rows = q.fetch_in_chunks("symlink_targets", "ids", ids) if ids else []
    return {r["alias_id"]: r["dataset_id"] for r in rows}


def _upstream(source: dict, resolved: dict[str, str]) -> dict:
    named = dataset_id_for(source["namespace"], source["name"])
    return {
        "dataset_id": resolved.get(named, named),
        "namespace": source["namespace"],
        "name": source["name"],
        "field": source["field"],
        "transformation_type": source["type"],
        "transformation_subtype": source["subtype"],
        "description": source["description"],
        "masking": source["masking"],
    }
