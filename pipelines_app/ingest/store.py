"""Write accepted events to the OBS tables: fold the group per row in Python, stage the folded rows
(Warehouse.stage: an Arrow table scanned in place on DuckDB, a temporary table elsewhere), apply
them in one transaction with set-based statements (sql.py), and append the events as received to
LINEAGE_EVENTS in the same transaction (one statement per group) — or, for events accepted earlier
(applier.py), move the applied mark instead. Events whose run id another job owns are refused
first (ownership.py). Pipelines, datasets and edges this process stored unchanged a moment ago are
not staged again (seen.py)."""

import operator
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from pipelines_app import data_version, run_state
from pipelines_app.warehouse import Warehouse
from pipelines_app.warehouse.base import SMALL_STAGE, arrow_table, table_ddl

from . import datasets, ownership, raw, run_details, sql
from .records import DatasetRecord, Event, PipelineRecord, RunRecord
from .seen import SeenRows, first, whole
from .tx import transaction

recent = SeenRows()


def dataset_covered(stored: tuple, staged: tuple) -> bool:
    """Whether sql.UPDATE_DATASETS of `staged` changes nothing after `stored` was written: its kind,
    owner and team are unset or the same, its last_updated_ts unset or not newer (a job's START names
    the datasets its COMPLETE wrote, without the time)."""
    set_differs = any(s is not None and s != t for s, t in zip(staged[3:6], stored[3:6], strict=True))
    if staged[:3] != stored[:3] or set_differs:
        return False
    return staged[6] is None or (stored[6] is not None and staged[6] <= stored[6])


# Staged tables whose rows are skipped when stored a moment ago with a value that covers theirs
# (seen.py): (identity, value, covers) of a row.
REMEMBERED = {
    "OL_STAGE_PIPELINES": (first, lambda row: row[:-1], operator.eq),  # created_ts: the write time
    "OL_STAGE_DATASETS": (first, whole, dataset_covered),
    "OL_STAGE_EDGES": (whole, whole, operator.eq),
}
INSERTS_OF_REMEMBERED = {"OL_STAGE_PIPELINES": sql.INSERT_PIPELINES, "OL_STAGE_DATASETS": sql.INSERT_DATASETS}
_EVENT_COLUMNS = ", ".join(name for name, _ in sql.LINEAGE_EVENTS)
APPEND_EVENTS = f"INSERT INTO LINEAGE_EVENTS ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM OL_STAGE_EVENTS"


def write_events(
    wh: Warehouse, events: Sequence[Event], now: datetime, applied_through: datetime | None = None
) -> list[Exception | None]:
    """Apply `events` atomically, except those whose run id another job owns (ownership.py): one
    entry per event, None when stored, RunIdConflict when refused. Any other failure raises and
    nothing is stored. With `applied_through` the events were accepted earlier (applier.py): they
    are already kept as received and the data version already moved; the transaction moves the
    applied mark instead."""
    refused: dict[int, Exception] = {}
    try:
        kept, runs, stored = _stage_owned_runs(wh, events, refused)
        staged = {
            "OL_STAGE_PIPELINES": [_pipeline_row(p, now) for p in fold_pipelines(kept)],
            "OL_STAGE_DATASETS": [_dataset_row(d) for d in fold_datasets(kept)],
            "OL_STAGE_EDGES": list(dict.fromkeys(edge for event in kept for edge in event.edges())),
            **datasets.staged(wh, (d for event in kept for d in event.all_datasets())),
        }
        for table, (ident, value, covers) in REMEMBERED.items():
            staged[table] = recent.unseen(wh, staged[table], ident, value, covers)
        staged = {table: rows for table, rows in staged.items() if rows}
        for table, rows in staged.items():  # scratch space of this connection: outside the transaction
            _stage(wh, table, rows)
        if runs:
            staged["OL_STAGE_RUNS"] = runs
        received = raw_rows(wh, kept, now) if applied_through is None else []
        details = run_details.prepare(wh, kept)
        statements = _statements(wh, staged, runs, stored)
        with transaction(wh):
            written = _apply(wh, statements)
            if received:
                append_events(wh, received)
            run_details.write(wh, details)
            if runs and wh.single_writer:  # what `stored` read before the transaction still holds
                run_state.update(wh, stored, written)
            elif runs:
                run_state.refresh(wh, {row[1] for row in runs})  # _run_row: pipeline_id second
            if applied_through is None:
                data_version.stamp(wh)  # the events_stored receiver's bump follows it after the commit
            else:
                mark_applied(wh, applied_through)
                data_version.record(wh)
    except BaseException:
        recent.forget(wh)
        raise
    for table, (ident, value, _) in REMEMBERED.items():
        recent.remember(wh, staged.get(table, []), ident, value)
    raw.purge_now_and_then(wh, now)
    return [refused.get(i) for i in range(len(events))]


def _apply(wh: Warehouse, statements: list[str]) -> list[dict]:
    """Run the APPLY statements; the runs as written where the warehouse hands them back."""
    written: list[dict] = []
    for statement in statements:
        if wh.single_writer and statement in sql.RUNS_WRITTEN:
            written += wh.fetch_all(statement + sql.RUNS_WRITTEN[statement])
        else:
            wh.execute(statement)
    return written


def _stage_owned_runs(
    wh: Warehouse, events: Sequence[Event], refused: dict[int, Exception]
) -> tuple[list[Event], list[tuple], dict[str, dict]]:
    """The events to write, their runs' staged rows (OL_STAGE_RUNS) and the stored rows of those
    already stored (by run id), after recording in `refused` the events whose run id another job
    owns: first the run ids the group holds under several jobs (rare), then, once each run id has
    one job, those stored under another (one SELECT per group; restaged only when it finds any)."""
    refused.update(ownership.conflicts_in_group(wh, events))
    kept = [event for i, event in enumerate(events) if i not in refused]
    runs = _stage_runs(wh, kept)
    elsewhere, stored = ownership.stored_runs(wh, [row[:2] for row in runs]) if runs else ({}, {})
    if not elsewhere:
        return kept, runs, stored
    for i, event in enumerate(events):
        if i not in refused and event.run is not None and event.run.run_id in elsewhere:
            refused[i] = elsewhere[event.run.run_id]
    kept = [event for i, event in enumerate(events) if i not in refused]
    return kept, _stage_runs(wh, kept), stored


def _statements(wh: Warehouse, staged: dict, runs: list[tuple], stored: dict[str, dict]) -> list[str]:
    """The APPLY statements of the staged tables, less those that would change nothing: the INSERT of
    pipelines or datasets this process stored a moment ago (seen.py), and, on a single-writer
    warehouse, where what the group read before its transaction still holds in it, UPDATE_RUNS when
    none of the group's runs is stored and INSERT_RUNS when all are."""
    needless = set()
    if wh.single_writer and not stored:
        needless = {sql.UPDATE_RUNS}
    elif wh.single_writer and len(stored) == len(runs):
        needless = {sql.INSERT_RUNS}
    for table, insert in INSERTS_OF_REMEMBERED.items():
        if table in staged and recent.all_stored(wh, staged[table], REMEMBERED[table][0]):
            needless.add(insert)
    return [s for table, apply in sql.APPLY.items() if table in staged for s in apply if s not in needless]


def _stage_runs(wh: Warehouse, events: Sequence[Event]) -> list[tuple]:
    rows = [_run_row(r) for r in fold_runs(events)]
    if rows:
        _stage(wh, "OL_STAGE_RUNS", rows)
    return rows


def _stage(wh: Warehouse, table: str, rows: list[tuple]) -> None:
    wh.stage(table, sql.STAGES[table], rows)


def append_events(wh: Warehouse, rows: list[tuple]) -> None:
    """LINEAGE_EVENTS rows in one statement: bound VALUES for a few rows, else from a stage where
    staging costs nothing or an Arrow hand-off."""
    if wh.stages_in_place and len(rows) >= SMALL_STAGE:
        wh.stage("OL_STAGE_EVENTS", sql.LINEAGE_EVENTS, rows)
        wh.execute(APPEND_EVENTS)
    elif len(rows) < SMALL_STAGE:
        marks = f"({', '.join('?' for _ in sql.LINEAGE_EVENTS)})"
        wh.execute(
            f"INSERT INTO LINEAGE_EVENTS ({_EVENT_COLUMNS}) VALUES {', '.join([marks] * len(rows))}",
            [value for row in rows for value in row],
        )
    else:
        wh.bulk_insert("LINEAGE_EVENTS", arrow_table(sql.LINEAGE_EVENTS, rows))


def fold_runs(events: Sequence[Event]) -> list[RunRecord]:
    """One record per run, by the rules of sql.UPDATE_RUNS: the winner's status and time, the
    earliest start, the winner's error (else the first one seen; none after a SUCCESS), the
    earliest nominal time and the largest row count."""
    per_run: dict[str, list[RunRecord]] = {}
    for event in events:
        if event.run is not None:
            per_run.setdefault(event.run.run_id, []).append(event.run)
    return [_fold_run(records) for records in per_run.values()]


def _fold_run(records: list[RunRecord]) -> RunRecord:
    winner = max(records, key=lambda r: r.order_key)
    errors = [r for r in records if r.error_message is not None]
    source = winner if winner.error_message is not None else (errors[0] if errors else winner)
    nominal = [r.nominal_ts for r in records if r.nominal_ts is not None]
    counts = [r.rows_processed for r in records if r.rows_processed is not None]
    return replace(
        winner,
        start_ts=min(r.first_ts for r in records),
        error_message=None if winner.status == "SUCCESS" else source.error_message,
        error_code=None if winner.status == "SUCCESS" else source.error_code,
        nominal_ts=min(nominal, default=None),
        rows_processed=max(counts, default=None),
    )


def fold_pipelines(events: Sequence[Event]) -> list[PipelineRecord]:
    """One record per pipeline; later events' non-null attributes win (as COALESCE(s, t) in SQL)."""
    folded: dict[str, PipelineRecord] = {}
    for p in (event.pipeline for event in events if event.pipeline is not None):
        seen = folded.get(p.pipeline_id)
        if seen is None:
            folded[p.pipeline_id] = p
            continue
        if fresh := _newer(seen, p, sql.PIPELINE_FILLED):
            folded[p.pipeline_id] = replace(seen, **fresh)
    return list(folded.values())


def fold_datasets(events: Sequence[Event]) -> list[DatasetRecord]:
    folded: dict[str, DatasetRecord] = {}
    for d in (d for event in events for d in event.all_datasets()):
        seen = folded.get(d.dataset_id)
        if seen is None:
            folded[d.dataset_id] = d
            continue
        fresh = _newer(seen, d, ("kind", "owner", "team"))
        if d.written_ts is not None and (seen.written_ts is None or d.written_ts > seen.written_ts):
            fresh["written_ts"] = d.written_ts
        if fresh:
            folded[d.dataset_id] = replace(seen, **fresh)
    return list(folded.values())


def _newer(seen, record, columns: Sequence[str]) -> dict:
    """The attributes of `record` that are set and differ from `seen`'s (a later event's win)."""
    return {c: v for c in columns if (v := getattr(record, c)) is not None and v != getattr(seen, c)}


def _pipeline_row(p: PipelineRecord, now: datetime) -> tuple:
    return (
        p.pipeline_id, p.name, p.namespace, p.team, p.domain, p.owner, p.criticality, p.platform,
        p.runbook_url, p.tags, now,
    )  # fmt: skip


def _dataset_row(d: DatasetRecord) -> tuple:
    return (d.dataset_id, d.name, d.namespace, d.kind, d.owner, d.team, d.written_ts)


def raw_rows(wh: Warehouse, events: Sequence[Event], now: datetime) -> list[tuple]:
    """LINEAGE_EVENTS rows of `events` (the table made sure of when there are any)."""
    rows = [_raw_row(event, now) for event in events if event.raw is not None]
    if rows:
        raw.ensure_table(wh)
    return rows


def mark_applied(wh: Warehouse, through: datetime) -> None:
    """The events received up to `through` are applied (LINEAGE_EVENTS_APPLIED; applier.py)."""
    wh.execute("UPDATE LINEAGE_EVENTS_APPLIED SET applied_through = ?", [through])


def unapplied_rows(wh: Warehouse) -> list[dict]:
    """The events as received after the applied mark, in the order received (the table and its row
    made sure of first: a warehouse from before them has applied every event it holds)."""
    raw.ensure_table(wh)
    wh.execute(table_ddl("LINEAGE_EVENTS_APPLIED"))
    if wh.fetch_one("SELECT applied_through FROM LINEAGE_EVENTS_APPLIED") is None:
        wh.execute(
            "INSERT INTO LINEAGE_EVENTS_APPLIED (applied_through) "
            f"SELECT COALESCE(MAX(received_ts), {sql.EPOCH}) FROM LINEAGE_EVENTS"
        )
    return wh.fetch_all(
        "SELECT event_id, event, received_ts FROM LINEAGE_EVENTS WHERE received_ts > "
        "(SELECT MAX(applied_through) FROM LINEAGE_EVENTS_APPLIED) ORDER BY received_ts, event_id"
    )


def _raw_row(event: Event, now: datetime) -> tuple:
    r, run, p = event.raw, event.run, event.pipeline
    return (
        uuid.uuid4().hex, now, r.event_ts, r.event_type, event.kind, r.producer, run.run_id if run else None,
        p.namespace if p else None, p.name if p else None, p.pipeline_id if p else None,
        r.run_facets, r.job_facets, r.dataset_facets, r.body,
    )  # fmt: skip


def _run_row(r: RunRecord) -> tuple:
    return (
        r.run_id, r.pipeline_id, r.status, r.terminal, r.severity, r.event_ts, r.first_ts, r.end_ts,
        r.error_code, r.error_message, r.nominal_ts, r.rows_processed,
    )  # fmt: skip
