"""The run rollups, derived from PIPELINE_RUNS so that reads need not scan its whole history (one
pass over 10M runs costs ~100 ms on two cores):

- PIPELINE_RUN_STATE, a row per pipeline: latest run and status, latest finished status, last
  success, runs RUNNING and since when (pipeline list, summary, SLA, incidents);
- PIPELINE_RUN_DAYS, a row per pipeline and UTC day: finished, failed and over-long runs (the
  whole days of an SLA window).

Both are derived, never authoritative: `refresh()` recomputes the rows of the pipelines a writer
touched from their runs (named queries `run_state_*` / `run_days_*`), inside the writer's
transaction when it has one. The demo loader calls it; ingest on a single-writer warehouse
(DuckDB) calls `update()`, which merges the rows with the group's changed runs (as they were and
as they are) without reading the pipelines' other runs, and falls back to `refresh()` for a
pipeline where that cannot tell (on Snowflake ingest calls `refresh()`). Anything else that
writes PIPELINE_RUNS runs `manage.py refresh_run_state` afterwards. Reads take the state "as of
now" (`run_state_now` in queries.sql), which recomputes on the fly the few pipelines with a run
stamped after now, so answers equal a scan of the runs that started by now.
"""

from collections.abc import Callable, Iterable

from . import queries as q
from .warehouse import Warehouse
from .warehouse.base import SMALL_STAGE


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


FINISHED = ("SUCCESS", "FAILED", "ABORTED")
_STATE_COLUMNS = (
    "pipeline_id", "last_run_id", "last_start_ts", "last_status", "last_end_ts", "last_finished_status",
    "last_success_ts", "running_runs", "running_since_ts", "newest_ts",
)  # fmt: skip
_DAY_COLUMNS = (
    "pipeline_id", "run_day", "runs", "failed_runs", "last_failed_ts", "long_runs", "last_long_ts",
    "max_duration_minutes",
)  # fmt: skip


class _Unknown(Exception):
    """The stored rollup plus the changed runs do not determine the new value: recompute."""


def update(wh: Warehouse, before: dict[str, dict], after: list[dict]) -> None:
    """Bring the rollups of the pipelines of `after` up to date from how their changed runs were
    (`before`: run_id -> stored row, absent for a new run) and are now (`after`: the rows as
    written), without re-reading their other runs: the stored rollup rows are merged with the
    difference. Rows: run_id, pipeline_id, status, start_ts, end_ts, duration_seconds. Where the
    difference cannot tell (the old extreme moved back, the latest finished run is not known, the
    limit changed) that pipeline is recomputed by `refresh`, so the result always equals a full
    rebuild. Only for a warehouse with one writer, where `before` read before the transaction
    still holds in it."""
    changed = [row for row in after if _changed(before.get(row["run_id"]), row)]
    per_pipeline: dict[str, list[dict]] = {}
    for row in changed:
        per_pipeline.setdefault(row["pipeline_id"], []).append(row)
    if not per_pipeline:
        return
    ids = sorted(per_pipeline)
    recompute: set[str] = set()
    states = {r["pipeline_id"]: r for r in _fetch_in(wh, "SELECT * FROM PIPELINE_RUN_STATE", ids)}
    new_states = {}
    for pid in ids:
        runs = per_pipeline[pid]
        try:
            new_states[pid] = _merged_state(
                states.get(pid), [before[r["run_id"]] for r in runs if r["run_id"] in before], runs
            )
        except _Unknown:
            recompute.add(pid)
    new_days = _merged_days(wh, before, per_pipeline, recompute)
    kept = [pid for pid in ids if pid not in recompute and new_states[pid] != states.get(pid)]
    _replace(
        wh, "PIPELINE_RUN_STATE", _STATE_COLUMNS, kept, [new_states[pid] for pid in kept if new_states[pid]]
    )
    if new_days is not None:
        cleared, rows = new_days
        _replace(wh, "PIPELINE_RUN_DAYS", _DAY_COLUMNS, cleared[0], rows, days=cleared[1])
    if recompute:
        refresh(wh, recompute)


def _changed(old: dict | None, new: dict) -> bool:
    return old is None or any(old[c] != new[c] for c in ("status", "start_ts", "end_ts", "duration_seconds"))


def _merged_state(old: dict | None, before: list[dict], after: list[dict]) -> dict | None:
    """The PIPELINE_RUN_STATE row (as run_state_fill computes it) of one pipeline whose runs
    `before` (stored rows of changed runs) became `after`, from its stored row `old`."""
    before = [r for r in before if r["start_ts"] is not None]
    now = {r["run_id"]: r for r in after if r["start_ts"] is not None}
    if any(r["status"] is None for r in [*before, *now.values()]):
        raise _Unknown
    if old is None:
        if before:
            raise _Unknown
        old = dict.fromkeys(_STATE_COLUMNS, None) | {"running_runs": 0}
    gone = {r["run_id"] for r in before}  # changed runs: their old values no longer count

    def key(r: dict) -> tuple:
        return (r["start_ts"], r["run_id"])

    # Latest run: the stored latest still stands unless it changed; then it must still be there.
    latest = list(now.values())
    if old["last_run_id"] is not None:
        if old["last_run_id"] in gone or old["last_run_id"] in now:
            mine = now.get(old["last_run_id"])
            if mine is None or mine["start_ts"] != old["last_start_ts"]:
                raise _Unknown
        else:
            latest.append(
                {"run_id": old["last_run_id"], "start_ts": old["last_start_ts"], "status": old["last_status"]}
            )
    if not latest:
        return None
    top = max(latest, key=key)
    last_finished = _last_finished(old, before, now, top)
    running_left = int(old["running_runs"]) - sum(r["status"] == "RUNNING" for r in before)
    running_since = _extreme(
        old["running_since_ts"] if running_left else None,
        [r["start_ts"] for r in before if r["status"] == "RUNNING"],
        [r["start_ts"] for r in now.values() if r["status"] == "RUNNING"],
        min,
    )
    last_end = _extreme(
        old["last_end_ts"], [r["end_ts"] for r in before], [r["end_ts"] for r in now.values()], max
    )
    success = [r["end_ts"] for r in before if r["status"] == "SUCCESS"]
    last_success = _extreme(
        old["last_success_ts"], success, [r["end_ts"] for r in now.values() if r["status"] == "SUCCESS"], max
    )
    last_start = top["start_ts"]
    return {
        "pipeline_id": old["pipeline_id"] or next(iter(now.values()))["pipeline_id"],
        "last_run_id": top["run_id"],
        "last_start_ts": last_start,
        "last_status": top["status"],
        "last_end_ts": last_end,
        "last_finished_status": last_finished,
        "last_success_ts": last_success,
        "running_runs": running_left + sum(r["status"] == "RUNNING" for r in now.values()),
        "running_since_ts": running_since,
        "newest_ts": max(last_start, last_end) if last_end is not None else last_start,
    }


def _extreme(stored, removed: list, added: list, pick):
    """MIN / MAX over all runs after replacing `removed` values by `added`: the stored extreme holds
    unless a removed value was it (then unknown, except where nothing else is left: None)."""
    if stored is not None and stored in removed:
        raise _Unknown
    values = [v for v in (stored, *added) if v is not None]
    return pick(values) if values else None


def _last_finished(old: dict, before: list[dict], now: dict[str, dict], top: dict) -> str | None:
    """Status of the latest run that is not RUNNING. The stored row names that run only when the
    latest run is finished; otherwise a changed finished run at the top, or no finished run among the
    changed ones, still decides it."""
    finished = [r for r in now.values() if r["status"] != "RUNNING"]
    best = max(finished, key=lambda r: (r["start_ts"], r["run_id"]), default=None)
    if top["status"] != "RUNNING":
        return top["status"]
    old_key = (old["last_start_ts"], old["last_run_id"]) if old["last_run_id"] is not None else None
    if old["last_status"] is not None and old["last_status"] != "RUNNING":
        # The stored latest run was the latest finished; it is now below a RUNNING top.
        if old["last_run_id"] in now or any(r["run_id"] == old["last_run_id"] for r in before):
            raise _Unknown
        candidates = [
            *finished,
            {"run_id": old["last_run_id"], "start_ts": old["last_start_ts"], "status": old["last_status"]},
        ]
        return max(candidates, key=lambda r: (r["start_ts"], r["run_id"]))["status"]
    if best is not None and old_key is not None and (best["start_ts"], best["run_id"]) >= old_key:
        return best["status"]
    if best is None and not any(r["status"] != "RUNNING" for r in before):
        return old["last_finished_status"]
    if old_key is None and not before:
        return best["status"] if best else None
    raise _Unknown


def _merged_days(
    wh: Warehouse, before: dict[str, dict], per_pipeline: dict[str, list[dict]], recompute: set[str]
) -> tuple[tuple[list[str], list], list[tuple]] | None:
    """((pipelines, days) whose PIPELINE_RUN_DAYS rows are replaced, the rows that replace them) for
    the changed runs' finished contributions, or None when none changes; adds to `recompute` the
    pipelines it cannot merge (a removed run was a day's latest failure or long run; the stored
    limit differs from the pipeline's, so every day of it is due)."""
    delta = _day_changes(before, per_pipeline, recompute)
    if not delta:
        return None
    pids = sorted(delta)
    days = sorted({c[0] for changes in delta.values() for _, c in changes})
    limits, stored = _stored_days(wh, pids, days, recompute)
    recompute.update(pid for pid in pids if pid not in limits)  # no PIPELINES row: left to run_days_fill
    rows = []
    for pid in pids:
        if pid in recompute:
            continue
        try:
            rows += _merged_pipeline_days(pid, stored.get(pid, {}), delta[pid], limits[pid])
        except _Unknown:
            recompute.add(pid)
    return ([pid for pid in pids if pid not in recompute], days), rows


def _day_changes(before: dict[str, dict], per_pipeline: dict[str, list[dict]], skip: set[str]) -> dict:
    """pipeline -> [(-1 for the old row / +1 for the new, its contribution)] of the changed runs."""
    delta: dict[str, list[tuple[int, tuple]]] = {}
    for pid, runs in per_pipeline.items():
        for run in runs if pid not in skip else ():
            for sign, row in ((-1, before.get(run["run_id"])), (1, run)):
                if row is not None and (c := _contribution(row)) is not None:
                    delta.setdefault(pid, []).append((sign, c))
    return delta


def _stored_days(wh: Warehouse, pids: list[str], days: list, recompute: set[str]) -> tuple[dict, dict]:
    """({pipeline: its limit now}, {pipeline: {day: stored row}}); a pipeline with a row whose limit
    is not the pipeline's goes to `recompute`."""
    limits, stored = {}, {}
    for row in _fetch_in(wh, _DAYS_AFFECTED, pids, days=days):
        pid = row["pipeline_id"]
        limits[pid] = row["limit_now"]
        if row["run_day"] is None:
            continue
        if row["max_duration_minutes"] != row["limit_now"]:
            recompute.add(pid)
        stored.setdefault(pid, {})[row["run_day"]] = row
    return limits, stored


# The pipelines' limits, with their day rows on `days` and any whose limit is not the pipeline's.
_DAYS_AFFECTED = """SELECT p.pipeline_id, p.max_duration_minutes AS limit_now, d.run_day, d.runs,
       d.failed_runs, d.last_failed_ts, d.long_runs, d.last_long_ts, d.max_duration_minutes
FROM PIPELINES p LEFT JOIN PIPELINE_RUN_DAYS d ON d.pipeline_id = p.pipeline_id
     AND (d.run_day IN ({days}) OR d.max_duration_minutes IS DISTINCT FROM p.max_duration_minutes)
WHERE p.pipeline_id IN ({ids})"""


def _contribution(run: dict) -> tuple | None:
    """(day, done_ts, failed, duration of a success) of a finished run, as run_days_fill counts it."""
    done = run["end_ts"] if run["end_ts"] is not None else run["start_ts"]
    if run["status"] not in FINISHED or done is None:
        return None
    failed = run["status"] != "SUCCESS"
    return (done.date(), done, failed, None if failed else run["duration_seconds"] or 0)


def _merged_pipeline_days(pid: str, stored: dict, changes: list[tuple[int, tuple]], limit) -> list[tuple]:
    days = {day: dict(row) for day, row in stored.items()}
    for sign, (day, done, failed, duration) in sorted(changes, key=lambda c: c[0]):  # removals first
        too_long = duration is not None and limit is not None and duration > 60 * limit
        row = days.setdefault(
            day,
            {"runs": 0, "failed_runs": 0, "last_failed_ts": None, "long_runs": 0, "last_long_ts": None,
             "max_duration_minutes": limit},
        )  # fmt: skip
        row["runs"] += sign
        for flag, count, last in (
            (failed, "failed_runs", "last_failed_ts"),
            (too_long, "long_runs", "last_long_ts"),
        ):
            if not flag:
                continue
            row[count] += sign
            if sign < 0 and row[last] == done:
                raise _Unknown
            if sign > 0:
                row[last] = done if row[last] is None else max(row[last], done)
    if any(r["runs"] < 0 or r["failed_runs"] < 0 or r["long_runs"] < 0 for r in days.values()):
        raise _Unknown  # removed a run the stored rows did not count
    return [
        (pid, day, r["runs"], r["failed_runs"], r["last_failed_ts"], r["long_runs"], r["last_long_ts"],
         r["max_duration_minutes"])
        for day, r in sorted(days.items()) if r["runs"]
    ]  # fmt: skip


def _in_list(values: list) -> tuple[str, list]:
    """`?, ?, …` padded to one of a few sizes (as queries.render pads), so texts repeat."""
    size = next((s for s in q.IN_LIST_SIZES if s >= len(values)), len(values))
    padded = list(values) + [values[-1]] * (size - len(values))
    return ", ".join("?" for _ in padded), padded


def _fetch_in(wh: Warehouse, sql: str, ids: list[str], days: list | None = None) -> list[dict]:
    rows = []
    for i in range(0, len(ids), q.MAX_IN_LIST):
        marks, args = _in_list(ids[i : i + q.MAX_IN_LIST])
        if days is None:
            rows += wh.fetch_all(f"{sql} WHERE pipeline_id IN ({marks})", args)
        else:
            day_marks, day_args = _in_list(days)
            # the days' binds come first in the text
            rows += wh.fetch_all(sql.format(ids=marks, days=day_marks), day_args + args)
    return rows


_STAGE_TYPES = {
    "PIPELINE_RUN_STATE": ("VARCHAR", "VARCHAR", "TIMESTAMP_NTZ", "VARCHAR", "TIMESTAMP_NTZ", "VARCHAR",
                           "TIMESTAMP_NTZ", "NUMBER(18, 0)", "TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
    "PIPELINE_RUN_DAYS": ("VARCHAR", "DATE", "NUMBER(18, 0)", "NUMBER(18, 0)", "TIMESTAMP_NTZ",
                          "NUMBER(18, 0)", "TIMESTAMP_NTZ", "NUMBER(18, 0)"),
}  # fmt: skip


def _replace(
    wh: Warehouse, table: str, columns: tuple, pids: list[str], rows: list, days: list | None = None
) -> None:
    """Delete the rows of `pids` (on `days`), insert `rows` (dicts or tuples in `columns` order)."""
    if not pids:
        return
    for i in range(0, len(pids), q.MAX_IN_LIST):
        marks, args = _in_list(pids[i : i + q.MAX_IN_LIST])
        where = f"pipeline_id IN ({marks})"
        if days is not None:
            day_marks, day_args = _in_list(days)
            where, args = f"{where} AND run_day IN ({day_marks})", args + day_args
        wh.execute(f"DELETE FROM {table} WHERE {where}", args)
    if not rows:
        return
    tuples = [tuple(r[c] for c in columns) if isinstance(r, dict) else r for r in rows]
    names = ", ".join(columns)
    if len(tuples) < SMALL_STAGE:  # bound VALUES: cheaper than an Arrow hand-off for a few rows
        marks = f"({', '.join('?' for _ in columns)})"
        wh.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(tuples))}",
            [v for t in tuples for v in t],
        )
        return
    stage = f"OL_STAGE_{table[len('PIPELINE_') :]}"
    wh.stage(stage, list(zip(columns, _STAGE_TYPES[table], strict=True)), tuples)
    wh.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}")
