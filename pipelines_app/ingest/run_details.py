"""What a RunEvent says about its run beyond the PIPELINE_RUNS row, kept in four append-only tables:

- RUN_STATES: the event's state change (eventType, status, eventTime);
- RUN_PARENTS: its parent run and job, and the root run and job (the `parent` facet);
- RUN_ERRORS: the errors it reports: `errorMessage` (message, language, stack trace), exception
  facets such as Spark's (`spark.exception`, any run facet whose name ends in "exception"), and
  dbt's `extractionError` (one row per error);
- RUN_ASSERTIONS: the `dataQualityAssertions` of its datasets (one row per assertion).

Each row has a natural key that includes the eventTime, and each table is written with one
INSERT … SELECT … WHERE NOT EXISTS per group (from bound VALUES for a few rows, else from a
stage filled before the transaction, as store.py does), so a replay
adds nothing and any arrival order ends in the same rows; readers pick "the earliest parent" or
"the latest assertion" (pipelines_app/run_detail.py), which does not depend on order either.

An eventTime more than FUTURE_TOLERANCE ahead of this server's clock (a producer whose clock runs
ahead) is clamped to the time of receipt, so the run is not hidden from today's incidents; the time
as sent is kept in RUN_STATES.sent_ts and shown on the run as `clock_skew`.
"""

import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipelines_app.warehouse import Warehouse
from pipelines_app.warehouse.base import schema_statements

from .facets import MAX_ERROR_MESSAGE, error_code_for, reads
from .records import STATUS_BY_EVENT_TYPE, dataset_id_for, pipeline_id_for

FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_STACK_TRACE = 16_000
SMALL = 16  # rows: below this bound VALUES cost less than staging (DuckDB binds ~20 µs a value)
EXCEPTION_FACETS = ("spark.exception", "spark_exception")  # named here for the coverage report


@dataclass(frozen=True, slots=True)
class ParentRecord:
    parent_run_id: str
    parent_pipeline_id: str | None
    parent_namespace: str | None
    parent_job: str | None
    root_run_id: str | None
    root_pipeline_id: str | None


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    facet: str
    message: str
    language: str | None = None
    stack_trace: str | None = None
    task: str | None = None


@dataclass(frozen=True, slots=True)
class AssertionRecord:
    dataset_id: str
    namespace: str
    name: str
    assertion: str
    column: str | None
    success: bool


@dataclass(frozen=True, slots=True)
class RunDetails:
    event_type: str
    sent_ts: datetime | None = None  # the eventTime as sent, when it was clamped
    parent: ParentRecord | None = None
    errors: tuple[ErrorRecord, ...] = ()
    assertions: tuple[AssertionRecord, ...] = ()
    streaming: bool = False  # jobType.processingType STREAMING


def clamp(event_ts: datetime, now: datetime) -> tuple[datetime, datetime | None]:
    """(the eventTime to use, the time as sent when it was clamped, else None)."""
    if event_ts > now + FUTURE_TOLERANCE:
        return now, event_ts
    return event_ts, None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value, limit: int = MAX_ERROR_MESSAGE) -> str | None:
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _job_of(part: dict) -> tuple[str | None, str | None, str | None]:
    job = _dict(part.get("job"))
    namespace, name = _str(job.get("namespace")), _str(job.get("name"))
    return (pipeline_id_for(namespace, name) if namespace and name else None), namespace, name


@reads("parent", "run")
def parent_of(facet) -> ParentRecord | None:
    """The parent run and job (and root, spec 1-1-0 of the facet); None when absent or malformed."""
    facet = _dict(facet)
    parent_run = _str(_dict(facet.get("run")).get("runId"))
    if parent_run is None:
        return None
    parent_pid, namespace, name = _job_of(facet)
    root = _dict(facet.get("root"))
    root_run = _str(_dict(root.get("run")).get("runId"))
    root_pid = _job_of(root)[0]
    return ParentRecord(
        parent_run.lower(), parent_pid, namespace, name, root_run and root_run.lower(), root_pid
    )


@reads("errorMessage", "run")
def _error_message(facet) -> list[ErrorRecord]:
    facet = _dict(facet)
    message = _str(facet.get("message"))
    if message is None:
        return []
    language = _str(facet.get("programmingLanguage"), 64)
    return [ErrorRecord("errorMessage", message, language, _str(facet.get("stackTrace"), MAX_STACK_TRACE))]


def _exception(name: str, facet) -> list[ErrorRecord]:
    """A producer's exception facet (Spark's and the like): a message, a class, a stack trace."""
    facet = _dict(facet)
    message = next(
        (_str(facet.get(k)) for k in ("message", "exceptionMessage", "errorMessage") if _str(facet.get(k))),
        None,
    )
    kind = next((_str(facet.get(k), 200) for k in ("exceptionClass", "exception", "type", "className")), None)
    if message is None and kind is None:
        return []
    text = f"{kind}: {message}" if kind and message and kind not in message else (message or kind)
    stack = _str(facet.get("stackTrace") or facet.get("stacktrace"), MAX_STACK_TRACE)
    language = _str(facet.get("programmingLanguage") or facet.get("language"), 64)
    return [ErrorRecord(name, text[:MAX_ERROR_MESSAGE], language, stack)]


@reads("extractionError", "run")
def _extraction_errors(facet) -> list[ErrorRecord]:
    """dbt's (and other integrations') lineage extraction errors: one per failed task."""
    errors = _dict(facet).get("errors")
    found = []
    for entry in errors if isinstance(errors, list) else []:
        entry = _dict(entry)
        message = _str(entry.get("errorMessage"))
        if message:
            task = _str(entry.get("task"), 500)
            stack = _str(entry.get("stackTrace"), MAX_STACK_TRACE)
            found.append(ErrorRecord("extractionError", message, None, stack, task))
    return found


for _name in EXCEPTION_FACETS:
    reads(_name, "run")(lambda facet: facet)


def errors_of(run_facets: dict) -> tuple[ErrorRecord, ...]:
    """Every error the run facets report, errorMessage first, then exception facets, then dbt's
    extraction errors."""
    if not run_facets:
        return ()
    found = _error_message(run_facets)
    for name, value in sorted(run_facets.items()):
        if name[-9:].lower() == "exception":
            found += _exception(name, value)
    return tuple(found + _extraction_errors(run_facets))


def fallback_error(errors: tuple[ErrorRecord, ...]) -> tuple[str | None, str | None]:
    """(error_message, error_code) for PIPELINE_RUNS when no errorMessage facet gave one: the first
    other error reported, so incidents and triage show it whatever producer sent it."""
    if not errors:
        return None, None
    first = errors[0]
    return first.message, error_code_for(first.message, first.stack_trace)


@reads("dataQualityAssertions", "dataset")
def _assertions_in(facet) -> list[tuple[str, str | None, bool]]:
    assertions = _dict(facet).get("assertions")
    found = []
    for entry in assertions if isinstance(assertions, list) else []:
        entry = _dict(entry)
        name, success = _str(entry.get("assertion"), 500), entry.get("success")
        if name and isinstance(success, bool):
            found.append((name, _str(entry.get("column"), 500), success))
    return found


@reads("dataQualityMetrics", "dataset")
def quality_metrics(facet) -> dict | None:
    """A dataset's dataQualityMetrics facet as sent (kept in LINEAGE_EVENTS, shown on the run)."""
    return facet if isinstance(facet, dict) else None


def assertions_of(datasets: list) -> tuple[AssertionRecord, ...]:
    """The dataQualityAssertions of the event's datasets (in `facets` or `inputFacets`, as
    producers differ)."""
    found = []
    for dataset in datasets:
        dataset = _dict(dataset)
        parts = (dataset.get("facets"), dataset.get("inputFacets"), dataset.get("outputFacets"))
        parts = [p for p in parts if isinstance(p, dict) and "dataQualityAssertions" in p]
        if not parts:  # most events: no assertions, a cheap test
            continue
        namespace, name = _str(dataset.get("namespace")), _str(dataset.get("name"))
        if not (namespace and name):
            continue
        for part in parts:
            for assertion, column, success in _assertions_in(part):
                found.append(
                    AssertionRecord(
                        dataset_id_for(namespace, name), namespace, name, assertion, column, success
                    )
                )
    return tuple(dict.fromkeys(found))


def details_of(body: dict, run_facets: dict, event_type: str, sent_ts: datetime | None) -> RunDetails:
    datasets = [d for key in ("inputs", "outputs") for d in (body.get(key) or ())]
    assertions = assertions_of(datasets)
    streaming = _streaming(_dict(_dict(body.get("job")).get("facets")).get("jobType"))
    if not (run_facets or assertions or streaming) and sent_ts is None and event_type in _PLAIN:
        return _PLAIN[event_type]  # most events: nothing beyond their state
    return RunDetails(
        event_type, sent_ts, parent_of(run_facets), errors_of(run_facets), assertions, streaming
    )


# The details of an event that says nothing beyond its state, by eventType (records are immutable).
_PLAIN = {event_type: RunDetails(event_type) for event_type in STATUS_BY_EVENT_TYPE}


def _streaming(job_type) -> bool:
    return str(_dict(job_type).get("processingType") or "").upper() == "STREAMING"


# -- writing ----------------------------------------------------------------------------------------

# table -> (columns, key columns): a row is written when no stored row has the same key.
TABLES = {
    "RUN_STATES": (
        ("run_id", "pipeline_id", "event_type", "status", "event_ts", "sent_ts"),
        ("run_id", "event_type", "event_ts"),
    ),
    "RUN_PARENTS": (
        ("run_id", "pipeline_id", "parent_run_id", "parent_pipeline_id", "parent_namespace", "parent_job",
         "root_run_id", "root_pipeline_id", "event_ts"),
        ("run_id", "event_ts", "parent_run_id", "parent_pipeline_id", "root_run_id", "root_pipeline_id"),
    ),
    "RUN_ERRORS": (
        ("run_id", "pipeline_id", "facet", "message", "language", "stack_trace", "task", "event_ts"),
        ("run_id", "event_ts", "facet", "message", "task"),
    ),
    "RUN_ASSERTIONS": (
        ("run_id", "pipeline_id", "dataset_id", "dataset_namespace", "dataset_name", "assertion",
         "column_name", "success", "event_ts"),
        ("run_id", "event_ts", "dataset_id", "assertion", "column_name"),
    ),
}  # fmt: skip
TIMESTAMPS = {"event_ts", "sent_ts"}
# Streaming jobs (jobType.processingType STREAMING) and the newest eventTime of their events: a
# streaming run never completes, so its freshness is its latest event, not a last success (sla.py).
STREAMING_UPDATE = """UPDATE STREAMING_PIPELINES t SET last_event_ts = CAST(v.last_event_ts AS TIMESTAMP_NTZ)
FROM (VALUES {rows}) AS v (pipeline_id, last_event_ts)
WHERE t.pipeline_id = v.pipeline_id AND CAST(v.last_event_ts AS TIMESTAMP_NTZ) > t.last_event_ts"""
STREAMING_INSERT = """INSERT INTO STREAMING_PIPELINES (pipeline_id, last_event_ts)
SELECT v.pipeline_id, CAST(v.last_event_ts AS TIMESTAMP_NTZ)
FROM (VALUES {rows}) AS v (pipeline_id, last_event_ts)
WHERE NOT EXISTS (SELECT 1 FROM STREAMING_PIPELINES x WHERE x.pipeline_id = v.pipeline_id)"""
_created: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def _type(column: str) -> str:
    return "TIMESTAMP_NTZ" if column in TIMESTAMPS else "BOOLEAN" if column == "success" else "VARCHAR"


def insert_new(table: str, rows: int | None) -> str:
    """INSERT into `table` of `rows` bound rows (None: of its stage), skipping those whose key is stored."""
    columns, key = TABLES[table]
    names = ", ".join(columns)
    chosen = ", ".join(f"CAST(v.{c} AS {_type(c)})" for c in columns)
    row = "(" + ", ".join("?" for _ in columns) + ")"
    source = f"(VALUES {', '.join([row] * rows)}) AS v ({names})" if rows else f"OL_STAGE_{table} v"
    match = " AND ".join(f"x.{c} IS NOT DISTINCT FROM v.{c}" for c in key)
    return (
        f"INSERT INTO {table} ({names}) SELECT {chosen} FROM {source} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} x WHERE {match})"
    )


@dataclass
class Prepared:
    """The rows of a group, by table; `staged`: the tables whose rows wait in their stage."""

    rows: dict[str, list[tuple]]
    staged: set[str] = field(default_factory=set)


def rows_for(events) -> dict[str, list[tuple]]:
    """The rows of each table for these events (distinct), empty tables left out."""
    out: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for event in events:
        run, d = event.run, event.details
        if run is None or d is None:
            continue
        rid, pid, ts = run.run_id, run.pipeline_id, run.event_ts
        out["RUN_STATES"].append((rid, pid, d.event_type, run.status, ts, d.sent_ts))
        if d.parent is not None:
            p = d.parent
            out["RUN_PARENTS"].append(
                (rid, pid, p.parent_run_id, p.parent_pipeline_id, p.parent_namespace, p.parent_job,
                 p.root_run_id, p.root_pipeline_id, ts)
            )  # fmt: skip
        for e in d.errors:
            out["RUN_ERRORS"].append((rid, pid, e.facet, e.message, e.language, e.stack_trace, e.task, ts))
        for a in d.assertions:
            out["RUN_ASSERTIONS"].append(
                (rid, pid, a.dataset_id, a.namespace, a.name, a.assertion, a.column, a.success, ts)
            )
    streams: dict[str, datetime] = {}
    for event in events:
        if event.run is not None and event.details is not None and event.details.streaming:
            pid, ts = event.run.pipeline_id, event.run.event_ts
            streams[pid] = max(ts, streams.get(pid, ts))
    found = {table: _distinct(table, rows) for table, rows in out.items() if rows}
    if streams:
        found["STREAMING_PIPELINES"] = sorted(streams.items())
    return found


def _distinct(table: str, rows: list[tuple]) -> list[tuple]:
    columns, key = TABLES[table]
    at = [columns.index(c) for c in key]
    return list({tuple(row[i] for i in at): row for row in rows}.values())


def prepare(wh: Warehouse, events) -> Prepared:
    """The rows to write for these events, before the transaction: the tables made sure of, and
    the larger sets staged (the connection's scratch space, outside the transaction)."""
    prepared = Prepared(rows_for(events))
    if prepared.rows:
        ensure_tables(wh)
    for table, rows in prepared.rows.items():
        if table in TABLES and (wh.stages_in_place or len(rows) >= SMALL):
            _stage(wh, table, rows)
            prepared.staged.add(table)
    return prepared


def _stage(wh: Warehouse, table: str, rows: list[tuple]) -> None:
    wh.stage(f"OL_STAGE_{table}", [(c, _type(c)) for c in TABLES[table][0]], rows)


def ensure_tables(wh: Warehouse) -> None:
    """Create the tables when a warehouse set up by an earlier version lacks them (once per warehouse
    and process), outside the write transaction."""
    if wh in _created:
        return
    for ddl in schema_statements():
        if ddl.split("(")[0].split()[-1].upper() in (*TABLES, "STREAMING_PIPELINES"):
            wh.execute(ddl)
    with _lock:
        _created.add(wh)


def write(wh: Warehouse, prepared: Prepared) -> None:
    """Inside the caller's transaction: one statement per table (two for STREAMING_PIPELINES)."""
    for table, rows in prepared.rows.items():
        if table == "STREAMING_PIPELINES":
            values = ", ".join("(?, ?)" for _ in rows)
            bound = [value for row in rows for value in row]
            wh.execute(STREAMING_UPDATE.format(rows=values), bound)
            wh.execute(STREAMING_INSERT.format(rows=values), bound)
            continue
        if table in prepared.staged:
            wh.execute(insert_new(table, None))
        else:
            wh.execute(insert_new(table, len(rows)), [value for row in rows for value in row])
