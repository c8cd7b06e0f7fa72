"""One run in full (GET /api/runs/{run_id}): its PIPELINE_RUNS row, every state change with its
time, its parent and root runs and its children, the errors it reported, its data-quality
assertions and metrics, and the facets of its events that Control Tower does not map, taken from
the events as received (LINEAGE_EVENTS). The tables behind it are written by ingest
(ingest/run_details.py); a run loaded another way has only its row.

Parent links: when a run's events name more than one parent, the earliest event's parent wins
(then the smallest run id), and the root is the earliest root named — whatever order the events
arrived in.
"""

import json

import orjson

from controltower.api.errors import ApiError

from . import queries as q
from .ingest.facets import MAPPED
from .ingest.run_details import quality_metrics

MAX_STATES = 1000
RAW_EVENTS = 200  # the newest events of a run read for their unmapped facets
MAX_FACET_BYTES = 20_000
MAX_DEPTH = 10  # parent links followed to find a root the facets did not name


class RunNotFound(ApiError):
    def __init__(self, run_id: str):
        super().__init__(
            404, "not_found", f"run_id: no run {run_id[:200]!r} in this source.", {"run_id": run_id[:200]}
        )


def run_detail(run_id: str, *, children_offset: int = 0, children_limit: int = 100) -> dict:
    run_id = run_id.strip().lower()
    row = q.fetch_one("run_detail", run_id=run_id)
    if row is None:
        raise RunNotFound(run_id)
    events = [_decoded(r) for r in q.fetch_all("run_raw_events", run_id=run_id, limit=RAW_EVENTS)]
    children, children_total = q.fetch_page(
        "run_children", offset=children_offset, limit=children_limit, run_id=run_id
    )
    return {
        **_run(row),
        "states": [_state(s) for s in q.fetch_all("run_states", run_id=run_id, limit=MAX_STATES)],
        **_lineage(run_id),
        "children": [_child(c) for c in children],
        "children_total": children_total,
        "errors": reported_errors(run_id),
        "data_quality": {
            "assertions": [_assertion(a) for a in q.fetch_all("run_assertions", run_id=run_id)],
            "metrics": _metrics(events),
        },
        "unmapped_facets": _unmapped(events),
    }


def reported_errors(run_id: str) -> list[dict]:
    """The errors a run's events reported (errorMessage, exception facets, extractionError), first first."""
    return [_error(e) for e in q.fetch_all("run_errors", run_id=run_id.strip().lower())]


def failed_assertions(run_id: str) -> list[dict]:
    """The run's data-quality assertions whose latest result is a failure."""
    rows = q.fetch_all("run_assertions", run_id=run_id.strip().lower())
    return [_assertion(a) for a in rows if not a["success"]]


def _run(row: dict) -> dict:
    for key in ("start_ts", "end_ts", "nominal_ts"):
        row[key] = q.aware(row[key])
    for key in ("duration_seconds", "rows_processed", "attempt"):
        row[key] = None if row.get(key) is None else int(row[key])
    return row


def _state(row: dict) -> dict:
    sent = row["sent_ts"]
    skew = None if sent is None else {"sent_time": q.aware(sent), "ahead_seconds": _seconds(sent, row)}
    return {
        "event_type": row["event_type"],
        "status": row["status"],
        "event_time": q.aware(row["event_ts"]),
        "clock_skew": skew,
    }


def _seconds(sent, row: dict) -> int:
    return int((sent - row["event_ts"]).total_seconds())


def _lineage(run_id: str) -> dict:
    rows = q.fetch_all("run_parents", run_id=run_id)
    first = rows[0] if rows else {}
    named = next((r for r in rows if r["root_run_id"]), None)
    root = (named["root_run_id"], named["root_pipeline_id"]) if named else _top(first)
    return {
        "parent_run_id": first.get("parent_run_id"),
        "parent_pipeline_id": first.get("parent_pipeline_id"),
        "parent_job": (
            {"namespace": first["parent_namespace"], "name": first["parent_job"]}
            if first.get("parent_job")
            else None
        ),
        "root_run_id": root[0],
        "root_pipeline_id": root[1],
    }


def _top(first: dict) -> tuple[str | None, str | None]:
    """Without a root in the facet: the top of the parent chain as far as it is stored."""
    top = (first.get("parent_run_id"), first.get("parent_pipeline_id"))
    seen = {top[0]}
    for _ in range(MAX_DEPTH):
        if top[0] is None:
            break
        rows = q.fetch_all("run_parents", run_id=top[0])
        if not rows or rows[0]["parent_run_id"] in seen:
            break
        top = (rows[0]["parent_run_id"], rows[0]["parent_pipeline_id"])
        seen.add(top[0])
    return top


def _child(row: dict) -> dict:
    return {**row, "start_ts": q.aware(row["start_ts"]), "end_ts": q.aware(row["end_ts"])}


def _error(row: dict) -> dict:
    return {**row, "event_ts": q.aware(row["event_ts"])}


def _assertion(row: dict) -> dict:
    return {
        "dataset_id": row["dataset_id"],
        "dataset_namespace": row["dataset_namespace"],
        "dataset_name": row["dataset_name"],
        "assertion": row["assertion"],
        "column": row["column_name"],
        "success": bool(row["success"]),
        "event_ts": q.aware(row["event_ts"]),
    }


def _decoded(row: dict) -> dict:
    try:
        body = orjson.loads(row["event"])
    except orjson.JSONDecodeError:
        body = {}
    return {"event_ts": row["event_ts"], "event_type": row["event_type"], "body": body}


def _facets(value) -> dict:
    return value if isinstance(value, dict) else {}


def _datasets(body: dict):
    for key in ("inputs", "outputs"):
        for dataset in body.get(key) or ():
            if isinstance(dataset, dict):
                yield dataset


def _metrics(events: list[dict]) -> list[dict]:
    """The newest dataQualityMetrics facet of each dataset (in facets or inputFacets)."""
    found: dict[tuple, dict] = {}
    for event in events:  # newest first
        for dataset in _datasets(event["body"]):
            key = (dataset.get("namespace"), dataset.get("name"))
            for part in ("facets", "inputFacets", "outputFacets"):
                metrics = quality_metrics(_facets(dataset.get(part)))
                if metrics is not None and key not in found:
                    found[key] = {
                        "dataset_namespace": key[0],
                        "dataset_name": key[1],
                        "event_ts": q.aware(event["event_ts"]),
                        "metrics": metrics,
                    }
    return list(found.values())


def _text(value) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(value, sort_keys=True, default=str).encode()


def _unmapped(events: list[dict]) -> list[dict]:
    """Each facet of the run's events that Control Tower does not map, once per place it sits (run,
    job, or a dataset) and value, newest first; too-large values are named, not shown."""
    seen: set[tuple] = set()
    out = []
    for event in events:
        body = event["body"]
        places = [
            ("run", None, _facets(_facets(body.get("run")).get("facets")), "run"),
            ("job", None, _facets(_facets(body.get("job")).get("facets")), "job"),
        ]
        for dataset in _datasets(body):
            name = f"{dataset.get('namespace')}/{dataset.get('name')}"
            for part in ("facets", "inputFacets", "outputFacets"):
                places.append((part, name, _facets(dataset.get(part)), "dataset"))
        for where, dataset, facets, kind in places:
            for facet, value in facets.items():
                if facet in MAPPED[kind]:
                    continue
                text = _text(value)
                key = (where, dataset, facet, text)
                if key in seen:
                    continue
                seen.add(key)
                small = len(text) <= MAX_FACET_BYTES
                out.append(
                    {
                        "facet": facet,
                        "where": where,
                        "dataset": dataset,
                        "event_type": event["event_type"],
                        "event_time": q.aware(event["event_ts"]),
                        "value": value if small else None,
                        "truncated": not small,
                    }
                )
    return out
