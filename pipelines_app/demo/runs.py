"""Run history of one pipeline: one run per schedule slot over the window, with jitter, late
starts, long runs, failures with their error, retries, aborted runs, trailing failures for broken
pipelines, a stuck RUNNING run, and the run in flight at `now` left RUNNING with NULL end_ts.

Runs accumulate column-wise in `RunColumns` (timestamps as epoch microseconds) so millions of rows
go to Arrow without a Python object per value. Each pipeline has its own seeded RNG, so its history
does not depend on the pipelines before it."""

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa

from . import catalog as c
from .estate import Estate, Pipeline

EPOCH = datetime(1970, 1, 1)
US = 1_000_000
ERROR_CUMULATIVE = list(itertools.accumulate(e[2] for e in c.ERRORS))
TIMEOUTS_S = (900, 1800, 3600, 7200, 14400, 28800, 86400)
P_LATE, P_LONG, P_ABORT, P_MANUAL = 0.03, 0.02, 0.003, 0.005


def epoch_s(ts: datetime) -> int:
    return int((ts - EPOCH).total_seconds())


class RunColumns:
    """PIPELINE_RUNS rows, column by column."""

    NAMES = (
        "run_id", "pipeline_id", "status", "start_ts", "end_ts", "duration_seconds", "rows_processed",
        "error_code", "error_message", "trigger_type", "attempt", "nominal_ts",
    )  # fmt: skip
    TIMESTAMPS = ("start_ts", "end_ts", "nominal_ts")

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.cols: dict[str, list] = {name: [] for name in self.NAMES}

    def __len__(self) -> int:
        return len(self.cols["run_id"])

    def to_arrow(self) -> pa.Table:
        types = {"duration_seconds": pa.int64(), "rows_processed": pa.int64(), "attempt": pa.int32()}
        arrays = {
            name: pa.array(
                values, pa.timestamp("us") if name in self.TIMESTAMPS else types.get(name, pa.string())
            )
            for name, values in self.cols.items()
        }
        return pa.table(arrays)


@dataclass
class RunSummary:
    """What datasets and costs need from a pipeline's runs."""

    last_success: datetime | None = None
    day_seconds: dict[int, float] = field(default_factory=dict)  # epoch day -> billed run seconds
    day_last_run: dict[int, str] = field(default_factory=dict)


def error_context(rnd: random.Random, estate: Estate, p: Pipeline, timeout_s: int) -> dict:
    profile = c.PROFILES[estate.source]
    upstream = p.inputs[0] if p.inputs else "upstream"
    return {
        "table": estate.datasets[p.outputs[0]].name if p.outputs else p.pipeline_name.upper(),
        "upstream": upstream,
        "system": upstream.split(".")[1] if upstream.startswith("src.") else p.platform,
        "timeout": timeout_s,
        "wh": p.warehouse,
        "team": p.team.upper().replace("-", "_"),
        "column": rnd.choice(c.COLUMNS),
        "expired": profile.expired_message.format(role=f"{p.team}-etl"),
    }


def random_error(rnd: random.Random) -> int:
    return bisect.bisect(ERROR_CUMULATIVE, rnd.random() * ERROR_CUMULATIVE[-1])


def failure(rnd: random.Random, ctx: dict, start_s: int, index: int) -> tuple[str, str, str]:
    """(error_code, kind, message) for a run failing with catalog.ERRORS[index]."""
    code, kind, _, template = c.ERRORS[index]
    day = (EPOCH + timedelta(seconds=start_s)).strftime("%Y-%m-%d")
    message = template.format(
        **ctx,
        gb=round(rnd.uniform(4, 120), 1),
        pos=rnd.randint(7, 480),
        bad=rnd.choice(("N/A", "1,234.50", "#REF!", "-", "12O4")),
        key=f"{ctx['team'][:3]}-{rnd.randint(1000, 99999)}",
        num=rnd.randint(1, 5000),
        hours=rnd.randint(3, 40),
        day=day,
        checks=rnd.randint(6, 48),
        port=rnd.choice((443, 1433, 5432, 8443, 50000)),
    )
    return code, kind, message


def generate_runs(p: Pipeline, estate: Estate, seed: int, out: RunColumns) -> RunSummary:
    rnd = random.Random(f"{estate.source}:{seed}:{p.pipeline_id}:runs")
    s = schedule(p, estate)
    ctx = error_context(rnd, estate, p, s.timeout_s)
    summary = RunSummary()
    # aws-p2-000001 (a core pipeline's run in aws), aws-p61-000001: a run id names its cloud once
    prefix = f"{estate.source}-{p.pipeline_id.removeprefix(f'{estate.source}-')}-"
    emit = run_writer(out, summary, prefix, s.now)
    scheduled_runs(rnd, p, s, ctx, emit)
    if p.stuck_for_s:
        start = s.now - p.stuck_for_s
        emit(start, p.stuck_for_s * 2, "RUNNING", None, None, None, "schedule", 1, start - start % s.interval)
    cols = out.cols
    cols["pipeline_id"].extend([p.pipeline_id] * (len(cols["run_id"]) - len(cols["pipeline_id"])))
    if summary.last_success is not None:
        summary.last_success = EPOCH + timedelta(seconds=summary.last_success)
    return summary


@dataclass(frozen=True)
class Schedule:
    """When a pipeline's runs fall in the window, in epoch seconds."""

    now: int
    interval: int
    first: int  # the first schedule slot in the window
    stop: int  # no slot after this: now, the end of an inactive pipeline, or where a stuck run began
    broken_after: int | None  # slots after this fail (a current incident)
    outage: tuple[int, int]  # runs starting in [from, to) fail on quota (a warehouse suspension)
    jitter: float  # how late a punctual run may start
    timeout_s: int


def schedule(p: Pipeline, estate: Estate) -> Schedule:
    now_s = epoch_s(estate.now)
    interval = p.expected_interval_minutes * 60
    window = now_s - estate.days * 86400
    first = window - window % interval + p.phase_s % interval
    first += interval if first < window else 0
    stop = now_s - p.stuck_for_s if p.stuck_for_s else (epoch_s(p.active_until) if p.active_until else now_s)
    outage = (0, 0)
    if estate.outage and estate.outage[0] == p.warehouse:
        outage = (epoch_s(estate.outage[1]), epoch_s(estate.outage[2]))
    return Schedule(
        now=now_s,
        interval=interval,
        first=first,
        stop=stop,
        broken_after=stop - p.broken_runs * interval if p.broken_runs else None,
        outage=outage,
        jitter=min(120, interval * 0.05),
        timeout_s=next((t for t in TIMEOUTS_S if t >= p.max_duration_minutes * 90), TIMEOUTS_S[-1]),
    )


Emit = Callable[..., str]


def run_writer(out: RunColumns, summary: RunSummary, prefix: str, now_s: int) -> Emit:
    """emit(start, dur, status, rows, code, msg, trigger, attempt, nominal_s) -> status: appends a run
    (numbered after `prefix`; one still going at `now_s` is RUNNING, with no end) and counts it in
    `summary`."""
    (
        add_id,
        add_status,
        add_start,
        add_end,
        add_dur,
        add_rows,
        add_code,
        add_msg,
        add_trigger,
        add_attempt,
        add_nominal,
    ) = [out.cols[name].append for name in RunColumns.NAMES if name != "pipeline_id"]
    seq = itertools.count(1)

    def emit(start, dur, status, rows, code, msg, trigger, attempt, nominal_s) -> str:
        run_id = f"{prefix}{next(seq):06d}"
        end = start + dur
        if end > now_s:
            status, end, dur, rows, code, msg = "RUNNING", None, None, None, None, None
        add_id(run_id)
        add_status(status)
        add_start(start * US)
        add_end(None if end is None else end * US)
        add_dur(dur)
        add_rows(rows)
        add_code(code)
        add_msg(msg)
        add_trigger(trigger)
        add_attempt(attempt)
        add_nominal(nominal_s * US)
        if end is not None:
            day = start // 86400
            summary.day_seconds[day] = summary.day_seconds.get(day, 0) + dur
            summary.day_last_run[day] = run_id
            if status == "SUCCESS":
                summary.last_success = max(summary.last_success or 0, end)
        return status

    return emit


def scheduled_runs(rnd: random.Random, p: Pipeline, s: Schedule, ctx: dict, emit: Emit) -> None:
    """One run per slot from s.first to s.stop (the hot loop: what it reads often is local)."""
    r = rnd.random
    now_s, interval, jitter, broken_after, stop = s.now, s.interval, s.jitter, s.broken_after, s.stop
    outage_from, outage_to = s.outage
    base, volume, fail_rate = p.base_run_s, p.volume, p.fail_rate
    nominal = s.first
    while nominal <= stop:
        late = r() < P_LATE
        delay = (
            (interval * (0.3 + 1.2 * r()) if interval < 86400 else 3600 * (1 + 5 * r()))
            if late
            else jitter * r()
        )
        start = int(nominal + delay)
        if start > now_s:
            break
        dur = base * (0.7 + 0.6 * r())
        if r() < P_LONG:
            dur *= 2.5 + 3 * r()
        u = r()
        trigger = "manual" if r() < P_MANUAL else "schedule"
        broken = broken_after is not None and nominal > broken_after
        suspended = outage_from <= start < outage_to
        if broken or suspended or u < fail_rate:
            index = c.QUOTA if suspended else (p.errors[0] if broken or r() < 0.6 else random_error(rnd))
            failed_run(rnd, p, s, ctx, emit, (nominal, start, dur, trigger), index)
        elif u < fail_rate + P_ABORT:
            emit(start, int(dur * 0.3 * r()), "ABORTED", 0, c.ABORTED[0], c.ABORTED[1], trigger, 1, nominal)
        else:
            emit(start, int(dur), "SUCCESS", int(volume * (0.8 + 0.4 * r())), None, None, trigger, 1, nominal)
        nominal += interval


def failed_run(
    rnd: random.Random, p: Pipeline, s: Schedule, ctx: dict, emit: Emit, slot: tuple, index: int
) -> None:
    """A run of `slot` (nominal, start, planned duration, trigger) failing with catalog.ERRORS[index];
    half the failures of hourly or slower pipelines outside an incident are retried once."""
    r = rnd.random
    nominal, start, dur, trigger = slot
    code, kind, msg = failure(rnd, ctx, start, index)
    dur = s.timeout_s if kind == "timeout" else dur * (0.05 + 0.6 * r())
    rows = 0 if r() < 0.5 else int(p.volume * 0.5 * r())
    status = emit(start, int(dur), "FAILED", rows, code, msg, trigger, 1, nominal)
    if status != "FAILED" or s.interval < 3600 or s.broken_after is not None or r() >= 0.5:
        return
    ok = r() < 0.7
    retry_start = start + int(dur) + 120 + int(480 * r())
    if retry_start > s.now:
        return
    rows = int(p.volume * (0.8 + 0.4 * r())) if ok else 0
    status, code, msg = ("SUCCESS", None, None) if ok else ("FAILED", code, msg)
    emit(retry_start, int(p.base_run_s * (0.8 + 0.4 * r())), status, rows, code, msg, "retry", 2, nominal)
