"""SLA status per pipeline: freshness, run breaches over a window, and the thresholds behind them.

`sla_thresholds(pipeline)` is the single place thresholds come from: the SLA profile assigned in
governance when there is one, else the pipeline's own columns; every SLA answer (the SLA
endpoints, summary `sla_breaches`, incidents) follows. Governance sits above this module, so it is
asked through the provider named by the CT_SLA_THRESHOLDS_PROVIDER setting (a dotted path, empty
for none): called with the pipelines about to be evaluated, it returns a lookup answering a
pipeline's assigned SlaThresholds, or None where nothing is assigned.

Per pipeline, over the last `days` days (runs that finished in the window):
- a *breached run* is a FAILED or ABORTED run, or a SUCCESS that took longer than
  `max_duration_minutes`; `breach_ratio` = breached runs / finished runs (null with no runs);
- `freshness_lag_minutes` = minutes since the last successful run ended (since the pipeline was
  created when it never succeeded).
Status: `breached` when the lag exceeds `freshness_sla_minutes` or the breach ratio exceeds
`max_breach_ratio`; `at_risk` when the lag is past 80 % of the SLA, the ratio past half its
limit, a run has been RUNNING longer than `max_duration_minutes`, or nothing ever succeeded;
otherwise `ok`. `reasons` lists what decided it. Inactive pipelines are left out of lists.

A streaming job (OpenLineage jobType.processingType STREAMING) runs without end: while it has a
RUNNING run its freshness counts from its newest event (STREAMING_PIPELINES, kept by ingest), and
running longer than `max_duration_minutes` is not a risk.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from . import queries as q
from .pipelines import require_pipeline

STATUSES = ("ok", "at_risk", "breached")
DEFAULT_MAX_BREACH_RATIO = 0.1
AT_RISK_FRACTION = 0.8
DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 90


@dataclass(frozen=True)
class SlaThresholds:
    freshness_sla_minutes: int | None
    max_duration_minutes: int | None
    max_breach_ratio: float
    source: str  # where they came from: "pipeline" (its own columns) or the assigned profile's name

    def limits(self) -> dict:
        """The thresholds themselves, without where they came from."""
        return {f: getattr(self, f) for f in _LIMIT_FIELDS}


_LIMIT_FIELDS = ("freshness_sla_minutes", "max_duration_minutes", "max_breach_ratio")
ThresholdsLookup = Callable[[dict], SlaThresholds | None]


def _nothing_assigned(pipeline: dict) -> None:
    return None


@lru_cache(maxsize=8)
def _provider(path: str) -> Callable[[list[dict]], ThresholdsLookup]:
    return import_string(path)


def assigned_thresholds_lookup(pipelines: list[dict]) -> ThresholdsLookup:
    """The assigned-thresholds lookup for these pipelines (CT_SLA_THRESHOLDS_PROVIDER's), or one
    that assigns nothing when no provider is set."""
    path = getattr(settings, "CT_SLA_THRESHOLDS_PROVIDER", "")
    return _provider(path)(pipelines) if path else _nothing_assigned


def sla_thresholds(pipeline: dict, assigned: ThresholdsLookup | None = None) -> SlaThresholds:
    """The thresholds that apply to this pipeline (a PIPELINES row): the SLA profile governance
    assigns it (by pipeline, team or domain; `source` is the profile name), else its own columns.
    `assigned` (an assigned_thresholds_lookup) serves many pipelines."""
    limits = (assigned or assigned_thresholds_lookup([pipeline]))(pipeline)
    return limits if limits is not None else own_thresholds(pipeline)


def own_thresholds(pipeline: dict) -> SlaThresholds:
    """The pipeline's own SLA columns with the default breach ratio: the thresholds in force when
    nothing is assigned."""
    return _own_thresholds(pipeline.get("freshness_sla_minutes"), pipeline.get("max_duration_minutes"))


@lru_cache(maxsize=4096)
def _own_thresholds(fresh: int | None, max_dur: int | None) -> SlaThresholds:
    """A pipeline's own columns as thresholds: one shared (frozen) value per distinct pair."""
    return SlaThresholds(
        freshness_sla_minutes=None if fresh is None else int(fresh),
        max_duration_minutes=None if max_dur is None else int(max_dur),
        max_breach_ratio=DEFAULT_MAX_BREACH_RATIO,
        source="pipeline",
    )


def _run_counts(histogram: list[dict], limits: SlaThresholds) -> tuple[int, int, datetime | None]:
    finished = breached = 0
    last_breach = None
    for row in histogram:
        runs = int(row["runs"])
        finished += runs
        too_long = (
            limits.max_duration_minutes is not None and row["duration_min"] > limits.max_duration_minutes
        )
        if row["status"] != "SUCCESS" or too_long:
            breached += runs
            last_breach = max(filter(None, (last_breach, row["last_ts"])), default=None)
    return finished, breached, last_breach


_THRESHOLD_FIELDS = tuple(f.name for f in fields(SlaThresholds))


def _window_counts(row: dict | None) -> tuple[int, int, datetime | None]:
    """(finished, breached, last breach) from a `sla_runs` row, which scores durations against the
    pipeline's own max_duration_minutes."""
    if not row or not row["runs"]:
        return 0, 0, None
    failed, too_long = row["last_failed_ts"], row["last_long_ts"]
    last = failed if too_long is None or (failed is not None and failed > too_long) else too_long
    return row["runs"], row["failed_runs"] + row["long_runs"], last


def _window_bounds(since: datetime, now: datetime) -> dict:
    """Binds of `sla_runs`: the whole UTC days inside (since, now] and where they start/end."""
    first_day = since.date() + timedelta(days=1)
    last_day = now.date()
    return {
        "since": since,
        "now": now,
        "first_day": first_day,
        "last_day": last_day,
        "first_day_ts": datetime.combine(first_day, datetime.min.time()),
        "last_day_ts": datetime.combine(last_day, datetime.min.time()),
    }


def _thresholds_dict(limits: SlaThresholds) -> dict:
    """asdict() without its deep copy (the fields are plain values): once per pipeline, it counts."""
    return {f: getattr(limits, f) for f in _THRESHOLD_FIELDS}


def _status(
    limits: SlaThresholds, lag: float | None, ratio: float | None, running_over: bool
) -> tuple[str, list]:
    breached, at_risk = [], []
    fresh = limits.freshness_sla_minutes
    if lag is None:
        at_risk.append("no_successful_run")
    elif fresh is not None and lag > fresh:
        breached.append("freshness_breached")
    elif fresh is not None and lag > AT_RISK_FRACTION * fresh:
        at_risk.append("freshness_at_risk")
    if ratio is not None and ratio > limits.max_breach_ratio:
        breached.append("breach_ratio_exceeded")
    elif ratio is not None and ratio > limits.max_breach_ratio / 2:
        at_risk.append("breach_ratio_at_risk")
    if running_over:
        at_risk.append("running_over_max_duration")
    return ("breached" if breached else "at_risk" if at_risk else "ok"), breached + at_risk


def _assess(
    pipeline: dict, limits: SlaThresholds, counts: tuple, state: dict, now: datetime, heartbeat=None
) -> dict:
    """Status, reasons and the facts behind them: what the SLA row shows and a status filter needs.
    `heartbeat`: a streaming pipeline's newest event time."""
    finished, breached_runs, last_breach = counts
    ratio = round(breached_runs / finished, 4) if finished else None
    last_success = state.get("last_success_ts")
    running_since = state.get("running_since_ts")
    streaming = heartbeat is not None and running_since is not None
    reference = last_success or pipeline.get("created_ts")
    if streaming:  # its newest event, or a later success
        reference = max(last_success or heartbeat, heartbeat)
    lag = None if reference is None else round((now - reference).total_seconds() / 60, 1)
    running_over = (
        running_since is not None
        and not streaming
        and limits.max_duration_minutes is not None
        and now - running_since > timedelta(minutes=limits.max_duration_minutes)
    )
    status, reasons = _status(limits, lag, ratio, running_over)
    return {
        "status": status,
        "reasons": reasons,
        "finished": finished,
        "breached_runs": breached_runs,
        "ratio": ratio,
        "lag": lag,
        "reference": reference,
        "last_success": last_success,
        "running_since": running_since,
        "last_breach": last_breach,
    }


def _row(pipeline: dict, limits: SlaThresholds, a: dict, now: datetime, days: int) -> dict:
    fresh, reference = limits.freshness_sla_minutes, a["reference"]
    freshness_breach_ts = reference + timedelta(minutes=fresh) if reference and fresh is not None else None
    return {
        "pipeline_id": pipeline["pipeline_id"],
        "pipeline_name": pipeline["pipeline_name"],
        "team": pipeline.get("team"),
        "domain": pipeline.get("domain"),
        "owner": pipeline.get("owner"),
        "criticality": pipeline.get("criticality"),
        "runbook_url": pipeline.get("runbook_url"),
        "is_active": True if pipeline.get("is_active") is None else bool(pipeline["is_active"]),
        "status": a["status"],
        "reasons": a["reasons"],
        "thresholds": _thresholds_dict(limits),
        "window_days": days,
        "runs_in_window": a["finished"],
        "breached_runs": a["breached_runs"],
        "breach_ratio": a["ratio"],
        "freshness_lag_minutes": a["lag"],
        "last_success_ts": q.aware(a["last_success"]),
        "running_since_ts": q.aware(a["running_since"]),
        "freshness_breach_ts": (
            q.aware(freshness_breach_ts) if "freshness_breached" in a["reasons"] else None
        ),
        "last_breached_run_ts": q.aware(a["last_breach"]),
        "evaluated_at": q.aware(now),
    }


def _own_max_duration(pipeline: dict) -> int | None:
    value = pipeline.get("max_duration_minutes")
    return None if value is None else int(value)


def evaluate(
    pipelines: list[dict],
    *,
    days: int,
    pipeline_id: str | None = None,
    status: str | None = None,
    ids_only: bool = False,
) -> list:
    """SLA rows for these PIPELINES rows (only those with `status`, if given; only their ids with
    `ids_only`): one statement whatever their number, a row per pipeline; plus the duration
    histogram of pipelines whose assigned profile sets another max duration than their own column
    (IN-lists of them), to score their runs in Python."""
    now, since = q.now_naive(), q.now_naive() - timedelta(days=days)
    assigned = assigned_thresholds_lookup(pipelines)
    limits = {p["pipeline_id"]: sla_thresholds(p, assigned) for p in pipelines}
    facts = {
        r["pipeline_id"]: r
        for r in q.fetch_all("sla_runs", **_window_bounds(since, now), pipeline_id=pipeline_id)
    }
    profiled = {
        p["pipeline_id"]
        for p in pipelines
        if limits[p["pipeline_id"]].max_duration_minutes != _own_max_duration(p)
        or (facts.get(p["pipeline_id"]) or {}).get("stale_limit")
    }
    histogram: dict[str, list] = defaultdict(list)
    for row in (
        q.fetch_in_chunks("sla_run_histogram", "ids", profiled, since=since, now=now) if profiled else ()
    ):
        histogram[row["pipeline_id"]].append(row)

    def counts(pid: str) -> tuple:
        if pid in profiled:
            return _run_counts(histogram[pid], limits[pid])
        return _window_counts(facts.get(pid))

    rows = []
    for p in pipelines:
        pid = p["pipeline_id"]
        state = facts.get(pid, {})
        assessed = _assess(p, limits[pid], counts(pid), state, now, state.get("heartbeat_ts"))
        if status is None or assessed["status"] == status:
            rows.append(pid if ids_only else _row(p, limits[pid], assessed, now, days))
    return rows


def pipeline_sla(pipeline_id: str, *, days: int = DEFAULT_WINDOW_DAYS) -> dict:
    pipeline = require_pipeline(pipeline_id)
    return evaluate([pipeline], days=days, pipeline_id=pipeline_id)[0]


def evaluate_all(
    *,
    days: int = DEFAULT_WINDOW_DAYS,
    team=None,
    domain=None,
    criticality=None,
    search=None,
    status=None,
    ids_only: bool = False,
):
    """SLA rows (or ids) for every active pipeline matching the filters (and `status`), by pipeline id."""
    pipelines = q.fetch_all_cached(
        "sla_pipelines",
        "pipelines_fingerprint",
        pipeline_id=None,
        active_only=True,
        team=team,
        domain=domain,
        criticality=criticality,
        search=search.lower() if search else None,
    )
    return evaluate(pipelines, days=days, status=status, ids_only=ids_only)


def list_sla(
    *, offset: int, limit: int, status: str | None = None, days: int = DEFAULT_WINDOW_DAYS, **filters
):
    """A page of SLA rows; status filtering happens after thresholds are applied (in Python)."""
    rows = evaluate_all(days=days, **filters)
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    if status:
        rows = [r for r in rows if r["status"] == status]
    return rows[offset : offset + limit], len(rows), counts
