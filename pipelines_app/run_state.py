"""The run rollups, derived from PIPELINE_RUNS so that reads need not scan its whole history (one
pass over 10M runs costs ~100 ms on two cores):

- PIPELINE_RUN_STATE, a row per pipeline: latest run and status, latest finished status, last
  success, runs RUNNING and since when (pipeline list, summary, SLA, incidents);
- PIPELINE_RUN_DAYS, a row per pipeline and UTC day: finished, failed and over-long runs (the
  whole days of an SLA window).

Both are derived, never authoritative: `refresh()` recomputes the rows of the pipelines a writer
touched from their runs (named queries `run_state_*` / `run_days_*`), inside the writer's
transaction when it has one. Ingest and the demo loader call it; anything else that
writes PIPELINE_RUNS runs `manage.py refresh_run_state` afterwards. Reads take the state "as of
now" (`run_state_now` in queries.sql), which recomputes on the fly the few pipelines with a run
stamped after now, so answers equal a scan of the runs that started by now.
"""

from collections.abc import Callable, Iterable

from . import queries as q
from .warehouse import Warehouse


def refresh(wh: Warehouse, pipeline_ids: Iterable[str] | None = None) -> None:
    """Recompute the state of `pipeline_ids` (every pipeline when None) from PIPELINE_RUNS."""
    if pipeline_ids is None:
        _apply(wh, every=True, ids=[])
        return
    ids = sorted(set(pipeline_ids))
    for i in range(0, len(ids), q.MAX_IN_LIST):
        _apply(wh, every=False, ids=ids[i : i + q.MAX_IN_LIST])


def _apply(wh: Warehouse, *, every: bool, ids: list[str]) -> None:
    for name in ("run_state_clear", "run_state_fill", "run_days_clear", "run_days_fill"):
        wh.execute(*q.render(name, {"every": every, "ids": ids, "now": None}))


def build_if_missing(wh: Warehouse, report: Callable[[str], None] = lambda _: None) -> bool:
    """Fill the rollups when one is empty while runs exist (a warehouse loaded before the tables
    existed, or by another writer). True when they were built."""
    filled = all(
        wh.fetch_one(f"SELECT 1 AS x FROM {t} LIMIT 1") for t in ("PIPELINE_RUN_STATE", "PIPELINE_RUN_DAYS")
    )
    if filled or not wh.fetch_one("SELECT 1 AS x FROM PIPELINE_RUNS LIMIT 1"):
        return False
    report("building PIPELINE_RUN_STATE and PIPELINE_RUN_DAYS from PIPELINE_RUNS")
    refresh(wh)
    return True
