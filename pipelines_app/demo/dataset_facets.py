"""Dataset facets of a demo estate (DATASET_FACETS), as an OpenLineage producer reports them: a
`schema` for every table and view, and `columnLineage` from its writer's inputs, so the dataset
detail and its columns (/api/datasets/{id}, /columns) show something in a demo."""

from datetime import datetime

import orjson
import pyarrow as pa

from .estate import Estate

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/dbt"
SPEC = "https://openlineage.io/spec/facets/1-2-0"
KEYS = (("id", "NUMBER(38,0)", "surrogate key"), ("business_date", "DATE", "the business day it belongs to"))
MEASURES = (("amount_aud", "NUMBER(18,2)", "value in AUD"), ("quantity", "NUMBER(18,3)", "tonnes or units"))
LOADED = ("loaded_at", "TIMESTAMP_NTZ", "when the row was written")
COLUMNS = ("dataset_id", "facet", "event_ts", "state", "value")


def _facet(name: str, body: dict) -> str:
    return orjson.dumps({"_producer": PRODUCER, "_schemaURL": f"{SPEC}/{name}.json", **body}).decode()


def _schema() -> str:
    fields = [{"name": n, "type": t, "description": d} for n, t, d in (*KEYS, *MEASURES, LOADED)]
    return _facet("SchemaDatasetFacet", {"fields": fields})


def _lineage(sources: list) -> str:
    def direct(column: str, subtype: str) -> dict:
        inputs = [{"namespace": s.namespace, "name": s.name, "field": column,
                   "transformations": [{"type": "DIRECT", "subtype": subtype}]} for s in sources]  # fmt: skip
        return {"inputFields": inputs}

    fields = {n: direct(n, "IDENTITY") for n, _, _ in KEYS}
    fields |= {n: direct(n, "AGGREGATION" if len(sources) > 1 else "TRANSFORMATION") for n, _, _ in MEASURES}
    return _facet("ColumnLineageDatasetFacet", {"fields": fields})


def facet_table(estate: Estate, now: datetime) -> pa.Table:
    """One schema row per table or view, and one columnLineage row where its writer reads tables."""
    writers = {out: p for p in estate.pipelines for out in p.outputs}
    tabular = {i: d for i, d in estate.datasets.items() if d.kind in ("table", "view")}
    schema, rows = _schema(), []
    for dataset_id, d in tabular.items():
        at = d.last_updated_ts or now
        rows.append((dataset_id, "schema", at, None, schema))
        writer = writers.get(dataset_id)
        sources = [tabular[i] for i in (writer.inputs if writer else ()) if i in tabular]
        if sources:
            rows.append((dataset_id, "columnLineage", at, None, _lineage(sources)))
    values = list(zip(*rows, strict=True)) if rows else [[] for _ in COLUMNS]
    types = (pa.string(), pa.string(), pa.timestamp("us"), pa.string(), pa.string())
    return pa.table({c: pa.array(v, t) for c, v, t in zip(COLUMNS, values, types, strict=True)})
