"""Write accepted events to the OBS tables: one transaction, one upsert per table (runs: one per
"round", so that no statement sees the same run twice); rows are folded in Python where the merge
rule is a plain "latest non-null value" or a set."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from pipelines_app.warehouse import Warehouse

from . import sql
from .records import DatasetRecord, Event, PipelineRecord, RunRecord
from .tx import transaction


def write_events(wh: Warehouse, events: Sequence[Event], now: datetime) -> None:
    """Apply `events` atomically: all of them are stored, or none (the exception propagates)."""
    pipelines = [_pipeline_row(p, now) for p in _fold_pipelines(events)]
    datasets = [_dataset_row(d) for d in _fold_datasets(events)]
    edges = list(dict.fromkeys(edge for event in events for edge in event.edges()))
    with transaction(wh):
        _upsert(wh, sql.upsert_pipelines, pipelines, len(sql.PIPELINE_SOURCE))
        _upsert(wh, sql.upsert_datasets, datasets, len(sql.DATASET_SOURCE))
        _upsert(wh, sql.insert_edges, edges, len(sql.EDGE_SOURCE))
        for round_ in _run_rounds(events):
            _upsert(wh, sql.upsert_runs, [_run_row(r) for r in round_], len(sql.RUN_SOURCE))


def _upsert(wh: Warehouse, build: Callable[[int], tuple[str, ...]], rows: list[tuple], width: int) -> None:
    for start in range(0, len(rows), sql.MAX_ROWS):
        chunk = rows[start : start + sql.MAX_ROWS]
        size = sql.padded_size(len(chunk))
        params = [value for row in chunk for value in row] + [None] * (width * (size - len(chunk)))
        for statement in build(size):
            wh.execute(statement, params)


def _fold_pipelines(events: Sequence[Event]) -> list[PipelineRecord]:
    """One record per pipeline; later events' non-null attributes win (as COALESCE(s, t) in SQL)."""
    folded: dict[str, PipelineRecord] = {}
    for event in events:
        p = event.pipeline
        if p is None:
            continue
        seen = folded.get(p.pipeline_id)
        fresh = {c: getattr(p, c) for c in sql.PIPELINE_FILLED if getattr(p, c) is not None}
        folded[p.pipeline_id] = replace(seen, **fresh) if seen else p
    return list(folded.values())


def _fold_datasets(events: Sequence[Event]) -> list[DatasetRecord]:
    folded: dict[str, DatasetRecord] = {}
    for d in (d for event in events for d in event.all_datasets()):
        seen = folded.get(d.dataset_id)
        if seen is None:
            folded[d.dataset_id] = d
            continue
        fresh = {c: getattr(d, c) for c in ("kind", "owner", "team") if getattr(d, c) is not None}
        written = max((t for t in (seen.written_ts, d.written_ts) if t), default=None)
        folded[d.dataset_id] = replace(seen, **fresh, written_ts=written)
    return list(folded.values())


def _run_rounds(events: Sequence[Event]) -> list[list[RunRecord]]:
    """Round k holds the k-th event of every run, in arrival order: each upsert sees a run once."""
    per_run: dict[str, list[RunRecord]] = {}
    for event in events:
        if event.run is not None:
            per_run.setdefault(event.run.run_id, []).append(event.run)
    depth = max((len(runs) for runs in per_run.values()), default=0)
    return [[runs[k] for runs in per_run.values() if len(runs) > k] for k in range(depth)]


def _pipeline_row(p: PipelineRecord, now: datetime) -> tuple:
    return (
        p.pipeline_id, p.name, p.namespace, p.team, p.domain, p.owner, p.criticality, p.platform,
        p.runbook_url, p.tags, now,
    )  # fmt: skip


def _dataset_row(d: DatasetRecord) -> tuple:
    return (d.dataset_id, d.name, d.namespace, d.kind, d.owner, d.team, d.written_ts)


def _run_row(r: RunRecord) -> tuple:
    return (
        r.run_id, r.pipeline_id, r.status, r.terminal, r.severity, r.event_ts, r.end_ts, r.error_code,
        r.error_message, r.nominal_ts, r.rows_processed,
    )  # fmt: skip
