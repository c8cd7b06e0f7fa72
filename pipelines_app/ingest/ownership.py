"""A run id belongs to the job that delivered it first.

OpenLineage run ids are UUIDs a producer makes up; a second job reusing one (a copied fixture, a
producer bug, a wrapper that forwards its parent's runId) must not move or rewrite the first job's
run. The first job whose event is stored with a run id owns it; a RunEvent of another job with that
run id is refused whole — nothing of it is written (no run, pipeline, datasets, edges, raw event) —
and the refusal names the owner: 409 `run_id_conflict` for one event, a `rejected` item for a batch.
"Delivered first" is the order of the writes: a stored run keeps its job; a new run id that one
group commit holds under several jobs goes to the job of its earliest event (requests in arrival
order, a batch in its own order).
"""

from collections.abc import Callable, Mapping, Sequence

from pipelines_app.warehouse import Warehouse

from . import sql
from .records import Event

MAX_IDS = 1000


class RunIdConflict(Exception):
    """An event's run id is owned by another job."""

    code = "run_id_conflict"

    def __init__(self, run_id: str, pipeline_id: str, namespace: str | None, job: str | None):
        self.run_id = run_id
        self.owner = {"pipeline_id": pipeline_id, "namespace": namespace, "job": job}
        named = f"{namespace}/{job}" if namespace and job else (job or pipeline_id)
        super().__init__(
            f"run.runId: run {run_id} belongs to job {named} (pipeline {pipeline_id}); "
            "a run id is owned by the first job that sends it: give this run its own runId."
        )

    def details(self) -> dict:
        return {"field": "run.runId", "run_id": self.run_id, "owner": self.owner}


def conflicts_in_group(
    wh: Warehouse, events: Sequence[Event], known: Mapping[str, RunIdConflict] | None = None
) -> dict[int, RunIdConflict]:
    """Events (by index) refused because the group holds their run id under more than one job:
    the stored (or `known`: accepted, not yet stored) owner keeps it if there is one, else the job
    of the group's first event with it. (Rare: one query, only for such run ids. Run ids of one job
    in the group are checked against the stored runs by stored_runs, once staged.)"""
    jobs: dict[str, dict[str, Event]] = {}
    for event in events:
        if event.run is not None and event.pipeline is not None:
            jobs.setdefault(event.run.run_id, {}).setdefault(event.pipeline.pipeline_id, event)
    shared = sorted(run_id for run_id, by_job in jobs.items() if len(by_job) > 1)
    if not shared:
        return {}
    known = known or {}
    owners = {run_id: known[run_id] for run_id in shared if run_id in known}
    owners.update(stored_owners(wh, [run_id for run_id in shared if run_id not in known]))
    for run_id in shared:
        if run_id not in owners:
            p = next(iter(jobs[run_id].values())).pipeline  # the first job in the group's order
            owners[run_id] = RunIdConflict(run_id, p.pipeline_id, p.namespace, p.name)
    return {
        index: owners[event.run.run_id]
        for index, event in enumerate(events)
        if event.run is not None
        and event.run.run_id in owners
        and event.pipeline.pipeline_id != owners[event.run.run_id].owner["pipeline_id"]
    }


def stored_pipelines(wh: Warehouse, run_ids: list[str]) -> dict[str, str]:
    """The pipeline that owns each of `run_ids` that is stored (the run ids served by the index)."""
    return {row["run_id"]: row["pipeline_id"] for row in _stored(wh, sql.stored_pipelines, run_ids)}


def stored_owners(wh: Warehouse, run_ids: list[str]) -> dict[str, RunIdConflict]:
    """The stored owner of each of `run_ids` that is stored, as the conflict it would raise."""
    return {row["run_id"]: _conflict(row) for row in _stored(wh, sql.stored_owners, run_ids)}


def _stored(wh: Warehouse, statement: Callable[[int], str], run_ids: list[str]) -> list[dict]:
    """The rows `statement` (of so many bound run ids) finds, MAX_IDS run ids at a time."""
    rows = []
    for i in range(0, len(run_ids), MAX_IDS):
        chunk = run_ids[i : i + MAX_IDS]
        rows += wh.fetch_all(statement(len(chunk)), chunk)
    return rows


def stored_runs(
    wh: Warehouse, runs: Sequence[tuple[str, str]]
) -> tuple[dict[str, RunIdConflict], dict[str, dict]]:
    """Of the staged (OL_STAGE_RUNS) `runs` ((run_id, pipeline_id) pairs): those whose run id is
    stored under another pipeline, by run id, and the stored rows of those under their own."""
    staged = dict(runs)
    elsewhere, stored = {}, {}
    for row in wh.fetch_all(sql.STORED_RUNS):
        if row["pipeline_id"] == staged.get(row["run_id"]):
            stored[row["run_id"]] = row
        else:
            elsewhere[row["run_id"]] = _conflict(row)
    return elsewhere, stored


def _conflict(row: dict) -> RunIdConflict:
    return RunIdConflict(row["run_id"], row["pipeline_id"], row["namespace"], row["pipeline_name"])
