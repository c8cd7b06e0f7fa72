"""Datasets as OpenLineage names them: identity, the facets kept, and the readers of those facets.

A dataset is (namespace, name): the same table name in two namespaces is two datasets. A dataset
named by a path whose `symlinks` facet names a table (an identifier of type TABLE, as Spark and
Flink report a Hive / Glue / Iceberg table behind an s3:// or hdfs:// location) is stored as that
table; the path is kept in DATASET_SYMLINKS and its id resolves to the table's.

Every facet under a dataset's `facets` (in inputs, outputs or a DatasetEvent) is kept in
DATASET_FACETS as its JSON text: the newest eventTime wins per dataset and facet, and between two
values with the same eventTime the larger JSON text, so arrival order and replays do not matter.
Run-scoped `inputFacets` / `outputFacets` stay in the raw events (LINEAGE_EVENTS).

The readers below (`@reads`) interpret the kept facets for the dataset API: `schema` (fields, types,
descriptions, nested fields as dotted names), `columnLineage` (each column's input fields and
transformations, spec 1-0 and 1-2), `documentation`, `lifecycleStateChange` (DROP marks a dataset
deleted until something writes it again) and `symlinks`.
"""

import json
import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from pipelines_app.warehouse import Warehouse
from pipelines_app.warehouse.base import schema_statements

from .facets import _dict, _str, reads

STAGE_FACETS = (
    ("dataset_id", "VARCHAR"),
    ("facet", "VARCHAR"),
    ("event_ts", "TIMESTAMP_NTZ"),
    ("state", "VARCHAR"),
    ("value", "VARCHAR"),
)
STAGE_SYMLINKS = (
    ("alias_id", "VARCHAR"),
    ("alias_namespace", "VARCHAR"),
    ("alias_name", "VARCHAR"),
    ("dataset_id", "VARCHAR"),
    ("event_ts", "TIMESTAMP_NTZ"),
)
STAGES = {"OL_STAGE_DATASET_FACETS": STAGE_FACETS, "OL_STAGE_DATASET_SYMLINKS": STAGE_SYMLINKS}
TABLES = ("DATASET_FACETS", "DATASET_SYMLINKS")

# Newer eventTime wins; on a tie, the larger value (so two deliveries in either order agree).
UPDATE_FACETS = """UPDATE DATASET_FACETS t SET event_ts = s.event_ts, state = s.state, value = s.value
FROM OL_STAGE_DATASET_FACETS s WHERE t.dataset_id = s.dataset_id AND t.facet = s.facet
  AND (s.event_ts > t.event_ts OR (s.event_ts = t.event_ts AND s.value > t.value))"""
INSERT_FACETS = """INSERT INTO DATASET_FACETS (dataset_id, facet, event_ts, state, value)
SELECT s.dataset_id, s.facet, s.event_ts, s.state, s.value FROM OL_STAGE_DATASET_FACETS s
WHERE NOT EXISTS (SELECT 1 FROM DATASET_FACETS x WHERE x.dataset_id = s.dataset_id AND x.facet = s.facet)"""
UPDATE_SYMLINKS = """UPDATE DATASET_SYMLINKS t SET dataset_id = s.dataset_id, event_ts = s.event_ts
FROM OL_STAGE_DATASET_SYMLINKS s WHERE t.alias_id = s.alias_id
  AND (s.event_ts > t.event_ts OR (s.event_ts = t.event_ts AND s.dataset_id > t.dataset_id))"""
INSERT_SYMLINKS = """INSERT INTO DATASET_SYMLINKS
  (alias_id, alias_namespace, alias_name, dataset_id, event_ts)
SELECT s.alias_id, s.alias_namespace, s.alias_name, s.dataset_id, s.event_ts FROM OL_STAGE_DATASET_SYMLINKS s
WHERE NOT EXISTS (SELECT 1 FROM DATASET_SYMLINKS x WHERE x.alias_id = s.alias_id)"""
APPLY = {
    "OL_STAGE_DATASET_FACETS": (UPDATE_FACETS, INSERT_FACETS),
    "OL_STAGE_DATASET_SYMLINKS": (UPDATE_SYMLINKS, INSERT_SYMLINKS),
}


# -- at ingest ------------------------------------------------------------------------------------
@reads("symlinks", "dataset")
def table_of(facet) -> tuple[str, str] | None:
    """(namespace, name) of the first identifier of type TABLE in a `symlinks` facet."""
    identifiers = _dict(facet).get("identifiers")
    for ident in identifiers if isinstance(identifiers, list) else ():
        ident = _dict(ident)
        namespace, name = _str(ident.get("namespace")), _str(ident.get("name"))
        if namespace and name and (_str(ident.get("type")) or "").upper() == "TABLE":
            return namespace, name
    return None


@reads("lifecycleStateChange", "dataset")
def lifecycle_state(facet) -> str | None:
    state = _str(_dict(facet).get("lifecycleStateChange"))
    return state.upper() if state else None


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def facet_values(facets: dict) -> tuple[tuple[str, str | None, str], ...]:
    """(name, lifecycle state or None, JSON text) of every well-formed (object) facet."""
    return tuple(
        (name, lifecycle_state(facets) if name == "lifecycleStateChange" else None, _json(value))
        for name, value in facets.items()
        if isinstance(value, dict)
    )


def staged(wh: Warehouse, datasets: Iterable) -> dict[str, list[tuple]]:
    """The OL_STAGE_DATASET_* rows of a group's DatasetRecords, one per key (the winner by the rules
    of UPDATE_FACETS / UPDATE_SYMLINKS); the tables are made sure of when there are any."""
    facets: dict[tuple, tuple] = {}
    links: dict[str, tuple] = {}
    for d in datasets:
        for name, state, value in d.facets:
            row = (d.dataset_id, name, d.seen_ts, state, value)
            seen = facets.get(row[:2])
            if seen is None or (row[2], row[4]) > (seen[2], seen[4]):
                facets[row[:2]] = row
        if d.alias is not None:
            row = (*d.alias, d.dataset_id, d.seen_ts)
            seen = links.get(row[0])
            if seen is None or (row[4], row[3]) > (seen[4], seen[3]):
                links[row[0]] = row
    if facets or links:
        ensure_tables(wh)
    return {
        "OL_STAGE_DATASET_FACETS": list(facets.values()),
        "OL_STAGE_DATASET_SYMLINKS": list(links.values()),
    }


_created: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def ensure_tables(wh: Warehouse) -> None:
    """Create DATASET_FACETS / DATASET_SYMLINKS if a warehouse set up by an earlier version lacks
    them (once per warehouse and process; `manage.py warehouse_init` does the same)."""
    if wh in _created:
        return
    for ddl in schema_statements():
        if ddl.split("(")[0].split()[-1].upper() in TABLES:
            wh.execute(ddl)
    with _lock:
        _created.add(wh)


# -- for the dataset API --------------------------------------------------------------------------
@reads("schema", "dataset")
def schema_fields(facet) -> list[dict]:
    """[{name, type, description}] in the facet's order; nested fields as `parent.child`."""
    return list(_fields(_dict(facet).get("fields"), ""))


def _fields(fields: Any, prefix: str) -> Iterable[dict]:
    for field in fields if isinstance(fields, list) else ():
        name = _str(_dict(field).get("name"))
        if not name:
            continue
        yield {
            "name": prefix + name,
            "type": _str(field.get("type")),
            "description": _str(field.get("description")),
        }
        yield from _fields(field.get("fields"), f"{prefix}{name}.")


@reads("documentation", "dataset")
def description(facet) -> str | None:
    return _str(_dict(facet).get("description"))


@reads("columnLineage", "dataset")
def column_inputs(facet) -> dict[str, list[dict]]:
    """{column: [{namespace, name, field, type, subtype, description, masking}]}: each input field
    once per transformation (spec 1-2: `transformations`; 1-0: the column's `transformationType` /
    `transformationDescription`)."""
    found: dict[str, list[dict]] = {}
    for column, spec in _dict(_dict(facet).get("fields")).items():
        spec = _dict(spec)
        legacy = {"type": _str(spec.get("transformationType")), "subtype": None,
                  "description": _str(spec.get("transformationDescription")), "masking": None}  # fmt: skip
        inputs = spec.get("inputFields")
        for source in inputs if isinstance(inputs, list) else ():
            source = _dict(source)
            where = {k: _str(source.get(k)) for k in ("namespace", "name", "field")}
            if not all(where.values()):
                continue
            found.setdefault(column, []).extend({**where, **t} for t in _transformations(source, legacy))
    return found


def _transformations(source: dict, legacy: dict) -> Sequence[dict]:
    listed = source.get("transformations")
    if not isinstance(listed, list) or not listed:
        return [legacy]
    return [
        {
            "type": _str(t.get("type")),
            "subtype": _str(t.get("subtype")),
            "description": _str(t.get("description")),
            "masking": t.get("masking") if isinstance(t.get("masking"), bool) else None,
        }
        for t in map(_dict, listed)
    ]
