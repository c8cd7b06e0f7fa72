"""What a validated OpenLineage event becomes: plain records shaped like the OBS rows they feed.

Ids are stable functions of OpenLineage names, so every producer that names a job or a dataset
the same way lands on the same row:

    pipeline_id = "ol_" + sha256("<job.namespace>\\x00<job.name>")[:16]     (hex)
    dataset_id  = "ds_" + sha256("<dataset.namespace>\\x00<dataset.name>")[:16]
"""

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run_details import RunDetails

# OpenLineage eventType -> PIPELINE_RUNS.status. OTHER (and a missing eventType) carries facets only:
# it creates the run as RUNNING when it is the first thing seen, and never overrides a status.
STATUS_BY_EVENT_TYPE = {  # in the spec's order
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "SUCCESS",
    "ABORT": "ABORTED",
    "FAIL": "FAILED",
    "OTHER": "RUNNING",
}
TERMINAL = ("SUCCESS", "FAILED", "ABORTED")
# Between two terminal events with the same eventTime, the more severe one wins (same order in SQL).
SEVERITY = {"RUNNING": 0, "SUCCESS": 1, "ABORTED": 2, "FAILED": 3}


def stable_id(prefix: str, namespace: str, name: str) -> str:
    digest = hashlib.sha256(f"{namespace}\x00{name}".encode()).hexdigest()
    return f"{prefix}{digest[:16]}"


# The same jobs and datasets come back event after event: their ids are hashed once.
@functools.lru_cache(maxsize=16384)
def pipeline_id_for(namespace: str, name: str) -> str:
    return stable_id("ol_", namespace, name)


@functools.lru_cache(maxsize=16384)
def dataset_id_for(namespace: str, name: str) -> str:
    return stable_id("ds_", namespace, name)


@dataclass(frozen=True, slots=True)
class PipelineRecord:
    pipeline_id: str
    name: str
    namespace: str
    team: str | None = None
    domain: str | None = None
    owner: str | None = None
    criticality: str | None = None
    platform: str | None = None
    runbook_url: str | None = None
    tags: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    dataset_id: str
    name: str
    namespace: str
    kind: str | None = None  # None: keep what is stored (new rows default to 'table')
    owner: str | None = None
    team: str | None = None
    written_ts: datetime | None = None  # eventTime of a COMPLETE run that wrote it -> last_updated_ts
    seen_ts: datetime | None = None  # eventTime of the event that named it (its facets' time)
    facets: tuple[tuple[str, str | None, str], ...] = ()  # (name, state, JSON): DATASET_FACETS (datasets.py)
    alias: tuple[str, str, str] | None = None  # (id, namespace, name) of the path its symlinks resolve


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    pipeline_id: str
    status: str
    event_ts: datetime
    error_message: str | None = None
    error_code: str | None = None
    nominal_ts: datetime | None = None
    rows_processed: int | None = None
    start_ts: datetime | None = None  # earliest eventTime, once events of a run are folded

    @property
    def first_ts(self) -> datetime:
        return self.start_ts or self.event_ts

    @property
    def order_key(self) -> tuple[int, datetime, int]:
        """Which event's status wins: terminal first, then later eventTime, then severity."""
        return (self.terminal, self.event_ts, self.severity)

    @property
    def terminal(self) -> int:
        return int(self.status in TERMINAL)

    @property
    def severity(self) -> int:
        return SEVERITY[self.status]

    @property
    def end_ts(self) -> datetime | None:
        return self.event_ts if self.terminal else None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """The event as received (LINEAGE_EVENTS): its JSON text, what it is about, the facet names it
    carries (comma-separated, sorted) for the coverage report."""

    body: str
    producer: str
    event_ts: datetime
    event_type: str | None
    run_facets: str | None
    job_facets: str | None
    dataset_facets: str | None


@dataclass(frozen=True, slots=True)
class Event:
    """One accepted event: a RunEvent has all parts; a JobEvent no run; a DatasetEvent only datasets."""

    kind: str  # run | job | dataset
    pipeline: PipelineRecord | None = None
    run: RunRecord | None = None
    inputs: tuple[DatasetRecord, ...] = ()
    outputs: tuple[DatasetRecord, ...] = ()
    datasets: tuple[DatasetRecord, ...] = field(default=())
    raw: RawRecord | None = None
    details: "RunDetails | None" = None  # a RunEvent's state, parent, errors, assertions (run_details.py)

    def all_datasets(self) -> tuple[DatasetRecord, ...]:
        return self.inputs + self.outputs + self.datasets

    def edges(self) -> list[tuple[str, str, str, str]]:
        """LINEAGE_EDGES rows: dataset feeds pipeline (inputs), pipeline writes dataset (outputs)."""
        if self.pipeline is None:
            return []
        pid = self.pipeline.pipeline_id
        reads = [(d.dataset_id, "dataset", pid, "pipeline") for d in self.inputs]
        writes = [(pid, "pipeline", d.dataset_id, "dataset") for d in self.outputs]
        return reads + writes

    def summary(self) -> dict:
        return {
            "kind": self.kind,
            "pipeline_id": self.pipeline.pipeline_id if self.pipeline else None,
            "run_id": self.run.run_id if self.run else None,
        }
