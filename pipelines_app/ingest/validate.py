"""Validate one decoded OpenLineage event (spec 2-0-2) and turn it into records.

Required, as in the spec: `eventTime` (date-time), `producer`, `schemaURL`; for a RunEvent `run.runId`
(a UUID) and `job.namespace` / `job.name`; `namespace` and `name` on every dataset. `eventType` is
optional in 2-0-2 (a RunEvent without one is treated as OTHER) but, when present, must be one of
START, RUNNING, COMPLETE, ABORT, FAIL, OTHER. JobEvents and DatasetEvents are accepted too: the kind
comes from the schemaURL (`…#/$defs/RunEvent`), else from the fields present.
"""

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


def parse_event(body: Any) -> Event:
    """The event as records (with the event itself, as received, in `raw`), or EventError naming
    the first field that is wrong."""
    event, event_time = _records(body)
    return replace(event, raw=_raw(body, event, event_time))  # the eventTime as sent, never clamped


def _records(body: Any) -> tuple[Event, datetime]:
    if not isinstance(body, dict):
        raise EventError("event", f"must be a JSON object (an OpenLineage event); got {shown(body)}.")
    sent_time = timestamp(body, "eventTime", "eventTime")
    event_time, clamped_from = run_details.clamp(sent_time, now_naive())
    producer = text(body, "producer", "producer")
    schema_url = text(body, "schemaURL", "schemaURL")
    kind = _kind(body, schema_url)
    if kind == "dataset":
        return Event(
            "dataset", datasets=(_dataset(body.get("dataset"), "dataset", None, event_time),)
        ), sent_time
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
        return Event("job", pipeline=pipeline, inputs=inputs, outputs=outputs), sent_time
    run_body = obj(body.get("run"), "run")
    run = _run(run_body, pipeline.pipeline_id, event_type, event_time, outputs_raw)
    facets = run_body.get("facets") if isinstance(run_body.get("facets"), dict) else {}
    details = run_details.details_of(body, facets, event_type, clamped_from)
    if run.error_message is None and details.errors:
        message, code = run_details.fallback_error(details.errors)
        run = replace(run, error_message=message, error_code=code)
    event = Event("run", pipeline=pipeline, run=run, inputs=inputs, outputs=outputs, details=details)
    return event, sent_time


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
    namespace = text(job, "namespace", "job.namespace")
    name = text(job, "name", "job.name")
    facets = obj(job.get("facets"), "job.facets", required=False)
    attributes = pipeline_attributes(facets, producer)
    return PipelineRecord(pipeline_id_for(namespace, name), name, namespace, **attributes)


def _dataset(raw: Any, field: str, written_ts: datetime | None, seen_ts: datetime) -> DatasetRecord:
    dataset = obj(raw, field)
    namespace = text(dataset, "namespace", f"{field}.namespace")
    name = text(dataset, "name", f"{field}.name")
    facets = obj(dataset.get("facets"), f"{field}.facets", required=False)
    if not facets:  # many datasets carry none: nothing to read
        return DatasetRecord(
            dataset_id_for(namespace, name), name, namespace, written_ts=written_ts, seen_ts=seen_ts
        )
    table, alias = datasets.table_of(facets), None
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
    message, code = run_error(facets)
    return RunRecord(
        run_id=run_id.lower(),
        pipeline_id=pipeline_id,
        status=STATUS_BY_EVENT_TYPE[event_type],
        event_ts=event_time,
        error_message=message,
        error_code=code,
        nominal_ts=nominal_time(facets),
        rows_processed=rows_written(outputs),
    )


def _json(body: dict) -> str:
    try:
        return orjson.dumps(body).decode()
    except TypeError:  # an integer beyond 64 bits (the standard library's parser keeps those)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _names(facets: Any) -> set[str]:
    return set(facets) if isinstance(facets, dict) else set()


def _listed(names: set[str]) -> str | None:
    return ",".join(sorted(names)) or None


def _raw(body: dict, event: Event, event_time: datetime) -> RawRecord:
    datasets = [d for key in ("inputs", "outputs") for d in body.get(key) or ()]
    if isinstance(body.get("dataset"), dict):
        datasets.append(body["dataset"])
    dataset_facets = set().union(
        *(_names(d.get(part)) for d in datasets for part in ("facets", "inputFacets", "outputFacets"))
    )
    return RawRecord(
        body=_json(body),
        producer=body["producer"],
        event_ts=event_time,
        event_type=body.get("eventType") if event.kind == "run" else None,
        run_facets=_listed(_names((body.get("run") or {}).get("facets"))) if event.run else None,
        job_facets=_listed(_names((body.get("job") or {}).get("facets"))) if event.pipeline else None,
        dataset_facets=_listed(dataset_facets),
    )
