"""Validate one decoded OpenLineage event (spec 2-0-2) and turn it into records.

Required, as in the spec: `eventTime` (date-time), `producer`, `schemaURL`; for a RunEvent `run.runId`
(a UUID) and `job.namespace` / `job.name`; `namespace` and `name` on every dataset. `eventType` is
optional in 2-0-2 (a RunEvent without one is treated as OTHER) but, when present, must be one of
START, RUNNING, COMPLETE, ABORT, FAIL, OTHER. JobEvents and DatasetEvents are accepted too: the kind
comes from the schemaURL (`…#/$defs/RunEvent`), else from the fields present.
"""

import functools
import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

import orjson

from pipelines_app.queries import now_naive

from . import datasets, run_details
from .facets import dataset_attributes, nominal_time, pipeline_attributes, rows_written, run_error
from .fields import EventError, array, obj, shown, text, timestamp
from .records import (
    STATUS_BY_EVENT_TYPE,
    DatasetRecord,
    Event,
    PipelineRecord,
    RawRecord,
    RunRecord,
    dataset_id_for,
    pipeline_id_for,
)

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
KINDS_BY_SCHEMA = {"RunEvent": "run", "JobEvent": "job", "DatasetEvent": "dataset"}


def parse_event(body: Any, now: datetime | None = None) -> Event:
    """The event as records (with the event itself, as received, in `raw`), or EventError naming
    the first field that is wrong. `now`: when it was received (an eventTime after it is clamped)."""
    if not isinstance(body, dict):
        raise EventError("event", f"must be a JSON object (an OpenLineage event); got {shown(body)}.")
    sent_time = timestamp(body, "eventTime", "eventTime")  # kept in `raw` as sent, never clamped
    event_time, clamped_from = run_details.clamp(sent_time, now or now_naive())
    producer = text(body, "producer", "producer")
    kind = _kind(body, text(body, "schemaURL", "schemaURL"))
    if kind == "dataset":
        dataset = _dataset(body.get("dataset"), "dataset", None, event_time)
        return Event("dataset", datasets=(dataset,), raw=_raw(body, kind, sent_time))
    pipeline = _pipeline(obj(body.get("job"), "job"), producer)
    event_type = _event_type(body) if kind == "run" else None
    written = event_time if event_type == "COMPLETE" else None
    inputs = tuple(
        _dataset(d, f"inputs[{i}]", None, event_time)
        for i, d in enumerate(array(body.get("inputs"), "inputs"))
    )
    outputs_raw = array(body.get("outputs"), "outputs")
    outputs = tuple(_dataset(d, f"outputs[{i}]", written, event_time) for i, d in enumerate(outputs_raw))
    if kind == "job":
        return Event(
            "job", pipeline=pipeline, inputs=inputs, outputs=outputs, raw=_raw(body, kind, sent_time)
        )
    run_body = obj(body.get("run"), "run")
    run = _run(run_body, pipeline.pipeline_id, event_type, event_time, outputs_raw)
    facets = run_body.get("facets") if isinstance(run_body.get("facets"), dict) else {}
    details = run_details.details_of(body, facets, event_type, clamped_from)
    if run.error_message is None and details.errors:
        message, code = run_details.fallback_error(details.errors)
        run = replace(run, error_message=message, error_code=code)
    return Event("run", pipeline, run, inputs, outputs, raw=_raw(body, kind, sent_time), details=details)


def _kind(body: dict, schema_url: str) -> str:
    fragment = schema_url.rsplit("/", 1)[-1]
    if fragment in KINDS_BY_SCHEMA:
        return KINDS_BY_SCHEMA[fragment]
    if "run" in body or "eventType" in body:
        return "run"
    if "dataset" in body:
        return "dataset"
    return "job" if "job" in body else "run"


def _event_type(body: dict) -> str:
    value = body.get("eventType")
    if value is None:
        return "OTHER"
    if value not in STATUS_BY_EVENT_TYPE:
        allowed = ", ".join(STATUS_BY_EVENT_TYPE)
        raise EventError("eventType", f"must be one of {allowed}; got {shown(value)}.")
    return value


def _pipeline(job: dict, producer: str) -> PipelineRecord:
    namespace = _required(job, "namespace", "job")
    name = _required(job, "name", "job")
    facets = obj(job.get("facets"), "job.facets", required=False)
    if not facets:
        return _bare_pipeline(namespace, name, producer)
    return PipelineRecord(
        pipeline_id_for(namespace, name), name, namespace, **pipeline_attributes(facets, producer)
    )


@functools.lru_cache(maxsize=4096)
def _bare_pipeline(namespace: str, name: str, producer: str) -> PipelineRecord:
    """A job without facets: its record depends on its names and producer only (and is immutable)."""
    return PipelineRecord(
        pipeline_id_for(namespace, name), name, namespace, **pipeline_attributes({}, producer)
    )


def _required(container: dict, key: str, field: str) -> str:
    """text(container, key, "<field>.<key>"), the path spelled out only when the value is wrong."""
    value = container.get(key)
    if value.__class__ is str and value.strip():
        return value
    return text(container, key, f"{field}.{key}")


def _dataset(raw: Any, field: str, written_ts: datetime | None, seen_ts: datetime) -> DatasetRecord:
    dataset = obj(raw, field)
    namespace = _required(dataset, "namespace", field)
    name = _required(dataset, "name", field)
    facets = dataset.get("facets")
    if facets is not None:
        facets = obj(facets, f"{field}.facets")
    if not facets:  # many datasets carry none: nothing to read
        return DatasetRecord(
            dataset_id_for(namespace, name), name, namespace, None, None, None, written_ts, seen_ts
        )
    table, alias = datasets.table_of(facets) if "symlinks" in facets else None, None
    if table is not None and table != (namespace, name):  # a path: stored as the table it names
        alias, (namespace, name) = (dataset_id_for(namespace, name), namespace, name), table
    return DatasetRecord(
        dataset_id_for(namespace, name), name, namespace, written_ts=written_ts, seen_ts=seen_ts,
        facets=datasets.facet_values(facets), alias=alias, **dataset_attributes(facets),
    )  # fmt: skip


def _run(run: dict, pipeline_id: str, event_type: str, event_time: datetime, outputs: list) -> RunRecord:
    run_id = text(run, "runId", "run.runId")
    if not UUID_RE.match(run_id):
        raise EventError(
            "run.runId", f"must be a UUID, e.g. 0190f6a4-3c2e-7d1a-9b5e-4f8a2c6d1e3b; got {shown(run_id)}."
        )
    facets = obj(run.get("facets"), "run.facets", required=False)
    message = code = nominal = None
    if facets:  # most runs carry none
        (message, code), nominal = run_error(facets), nominal_time(facets)
    status = STATUS_BY_EVENT_TYPE[event_type]
    return RunRecord(
        run_id.lower(), pipeline_id, status, event_time, message, code, nominal, rows_written(outputs)
    )


def _json(body: dict) -> str:
    try:
        return orjson.dumps(body).decode()
    except TypeError:  # an integer beyond 64 bits (the standard library's parser keeps those)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _listed(names: Any) -> str | None:
    """The facet names (a facets object's keys), sorted and comma-separated; None when there are none."""
    return (",".join(sorted(names)) or None) if isinstance(names, (dict, set)) else None


def _raw(body: dict, kind: str, event_time: datetime) -> RawRecord:
    datasets = [d for key in ("inputs", "outputs") for d in body.get(key) or ()]
    if isinstance(body.get("dataset"), dict):
        datasets.append(body["dataset"])
    dataset_facets: set[str] = set()
    for dataset in datasets:
        for facets in (dataset.get("facets"), dataset.get("inputFacets"), dataset.get("outputFacets")):
            if isinstance(facets, dict):
                dataset_facets.update(facets)
    return RawRecord(
        _json(body),
        body["producer"],
        event_time,
        body.get("eventType") if kind == "run" else None,
        _listed(body["run"].get("facets")) if kind == "run" else None,
        _listed(body["job"].get("facets")) if kind != "dataset" else None,
        _listed(dataset_facets),
    )
