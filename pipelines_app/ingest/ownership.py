"""A run id belongs to the job that delivered it first.

OpenLineage run ids are UUIDs a producer makes up; a second job reusing one (a copied fixture, a
producer bug, a wrapper that forwards its parent's runId) must not move or rewrite the first job's
run. The first job whose event is stored with a run id owns it; a RunEvent of another job with that
run id is refused whole — nothing of it is written (no run, pipeline, datasets, edges, raw event) —
and the refusal names the owner: 409 `run_id_conflict` for one event, a `rejected` item for a batch.
"Delivered first" is the order of the writes: within one group commit, the group's order (requests
in arrival order, a batch in its own order); across groups, whatever is stored.
"""

from collections.abc import Sequence

from pipelines_app.warehouse import Warehouse

from . import sql
from .records import Event


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


def conflicts_in_group(events: Sequence[Event]) -> dict[int, RunIdConflict]:
    """Events (by index) whose run id an earlier event of the group gave to another job."""
    owners: dict[str, Event] = {}
    found: dict[int, RunIdConflict] = {}
    for index, event in enumerate(events):
        if event.run is None or event.pipeline is None:
            continue
        owner = owners.setdefault(event.run.run_id, event)
        if owner.pipeline.pipeline_id != event.pipeline.pipeline_id:
            p = owner.pipeline
            found[index] = RunIdConflict(event.run.run_id, p.pipeline_id, p.namespace, p.name)
    return found


def owned_elsewhere(wh: Warehouse) -> dict[str, RunIdConflict]:
    """Staged runs (OL_STAGE_RUNS) whose run id is stored under another pipeline, by run id."""
    return {
        row["run_id"]: RunIdConflict(
            row["run_id"], row["pipeline_id"], row["namespace"], row["pipeline_name"]
        )
        for row in wh.fetch_all(sql.OWNED_ELSEWHERE)
    }
