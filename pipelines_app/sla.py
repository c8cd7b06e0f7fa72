"""SLA status per pipeline: freshness, run breaches over a window, and the thresholds behind them.

Thresholds are the SLA profile assigned in governance when there is one, else the pipeline's own
columns. Status is decided in SQL (`sla_assessed` in sql/queries.sql), which reads the assignments
from the warehouse's SLA_ASSIGNMENTS (sla_assignments.py keeps it in step with governance), so a
list, a count or an incident page reads only the pipelines it needs; every SLA answer (the SLA
endpoints, summary `sla_breaches`, incidents) comes from that one statement. `sla_thresholds(pipeline)`
answers one pipeline's thresholds in Python (governance's effective-policy view): governance sits
above this module, so it is asked through the provider named by the CT_SLA_THRESHOLDS_PROVIDER
setting (a dotted path, empty for none: then SQL ignores SLA_ASSIGNMENTS too).

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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
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


def _window_bounds(since: datetime, now: datetime) -> dict:
    """Window binds of `sla_assessed`. Day rows count today, the whole days between, and the first
    day (`since`'s) less its runs up to `since` (`head`) when those are fewer than its runs after it
    (the morning half of the day); else the first day comes from its runs after `since`."""
    since_day = since.date()
    head = since.time() < time(12)
    return {
        "since": since,
        "now": now,
        "head": head,
        "days_from": since_day if head else since_day + timedelta(days=1),
        "last_day": now.date(),
        "since_day_ts": datetime.combine(since_day, time.min),
        "first_day_ts": datetime.combine(since_day + timedelta(days=1), time.min),
        "last_day_ts": datetime.combine(now.date(), time.min),
    }


def status_binds(*, days: int, now: datetime, **scope) -> dict:
    """Every bind of the `sla_assessed` fragment: the window, the rules' constants, whether governance
    assignments apply (no provider: the pipelines' own columns), and the pipeline scope (`scope`
    overrides: pipeline_id, active_only, team, domain, criticality, search)."""
    return {
        **_window_bounds(now - timedelta(days=days), now),
        "assigned": bool(getattr(settings, "CT_SLA_THRESHOLDS_PROVIDER", "")),
        "default_ratio": DEFAULT_MAX_BREACH_RATIO,
        "at_risk_fraction": AT_RISK_FRACTION,
        "pipeline_id": None,
        "active_only": False,
        "team": None,
        "domain": None,
        "criticality": None,
        "search": None,
        **scope,
    }


# In the order the API lists them: what breached, then what puts the pipeline at risk.
REASONS = (
    "freshness_breached",
    "breach_ratio_exceeded",
    "no_successful_run",
    "freshness_at_risk",
    "breach_ratio_at_risk",
    "running_over_max_duration",
)


def breach_ratio(breached: int, finished: int) -> float | None:
    """Breached runs / finished runs over a window, as every SLA answer states it (null with no runs)."""
    return round(breached / finished, 4) if finished else None


def row_from(r: dict, now: datetime, days: int) -> dict:
    """The SLA answer of one `sla_status` row (SQL decided the status and its reasons)."""
    fresh, reference, finished = r["freshness_sla_minutes"], r["reference_ts"], r["runs_in_window"]
    reasons = [name for name in REASONS if r[name]]
    breach_ts = reference + timedelta(minutes=fresh) if "freshness_breached" in reasons else None
    return {
        "pipeline_id": r["pipeline_id"],
        "pipeline_name": r["pipeline_name"],
        "team": r["team"],
        "domain": r["domain"],
        "owner": r["owner"],
        "criticality": r["criticality"],
        "runbook_url": r["runbook_url"],
        "is_active": True if r["is_active"] is None else bool(r["is_active"]),
        "status": r["status"],
        "reasons": reasons,
        "thresholds": {
            "freshness_sla_minutes": fresh,
            "max_duration_minutes": r["max_duration_minutes"],
            "max_breach_ratio": float(r["max_breach_ratio"]),
            "source": r["thresholds_source"],
        },
        "window_days": days,
        "runs_in_window": finished,
        "breached_runs": r["breached_runs"],
        "breach_ratio": breach_ratio(r["breached_runs"], finished),
        "freshness_lag_minutes": None
        if reference is None
        else round((now - reference).total_seconds() / 60, 1),
        "last_success_ts": q.aware(r["last_success_ts"]),
        "running_since_ts": q.aware(r["running_since_ts"]),
        "freshness_breach_ts": q.aware(breach_ts),
        "last_breached_run_ts": q.aware(r["last_breached_run_ts"]),
        "evaluated_at": q.aware(now),
    }


def status_rows(*, days: int, now: datetime, status: str | None = None, **scope) -> list[dict]:
    """The `sla_status` rows themselves (row_from makes each an SLA answer): for callers that need
    only a few of many in full."""
    return q.fetch_all("sla_status", **status_binds(days=days, now=now, **scope), status=status)


def run_counts(*, days: int, now: datetime, **scope) -> dict[str, tuple[int, int]]:
    """{pipeline_id: (finished runs, breached runs)} over the window, as the SLA rows count them
    (the `sla_status` statement's counts alone, for governance's evidence)."""
    rows = q.fetch_all("sla_counts", **status_binds(days=days, now=now, **scope))
    return {r["pipeline_id"]: (r["runs_in_window"], r["breached_runs"]) for r in rows}


def _evaluate(*, days: int, status: str | None = None, ids_only: bool = False, **scope) -> list:
    now = q.now_naive()
    rows = q.fetch_all("sla_status", **status_binds(days=days, now=now, **scope), status=status)
    if ids_only:
        return [r["pipeline_id"] for r in rows]
    return [row_from(r, now, days) for r in rows]


def evaluate(
    pipelines: list[dict],
    *,
    days: int,
    pipeline_id: str | None = None,
    status: str | None = None,
    ids_only: bool = False,
) -> list:
    """SLA rows for these PIPELINES rows (only those with `status`, if given; only their ids with
    `ids_only`), in pipeline id order: one statement whatever their number."""
    wanted = {p["pipeline_id"] for p in pipelines}
    rows = _evaluate(days=days, status=status, ids_only=ids_only, pipeline_id=pipeline_id)
    return [r for r in rows if (r if ids_only else r["pipeline_id"]) in wanted]


def pipeline_sla(pipeline_id: str, *, days: int = DEFAULT_WINDOW_DAYS) -> dict:
    pipeline = require_pipeline(pipeline_id)
    return evaluate([pipeline], days=days, pipeline_id=pipeline_id)[0]


def _list_scope(*, team=None, domain=None, criticality=None, search=None) -> dict:
    """The scope of an SLA list: active pipelines matching the filters."""
    return {
        "active_only": True,
        "team": team,
        "domain": domain,
        "criticality": criticality,
        "search": search.lower() if search else None,
    }


def count(status: str, *, days: int = DEFAULT_WINDOW_DAYS) -> int:
    """How many active pipelines have this SLA status (the summary's sla_breaches)."""
    binds = status_binds(days=days, now=q.now_naive(), active_only=True)
    return int((q.fetch_one("sla_status_count", **binds, status=status) or {}).get("pipelines") or 0)


def list_sla(
    *, offset: int, limit: int, status: str | None = None, days: int = DEFAULT_WINDOW_DAYS, **filters
):
    """A page of SLA rows, with how many pipelines have each status: SQL reads the page's rows and
    the counts, not every pipeline's row."""
    now = q.now_naive()
    binds = status_binds(days=days, now=now, **_list_scope(**filters))
    rows = q.fetch_all("sla_page", **binds, status=status, offset=offset, limit=limit)
    if rows:
        counts = {s: int(rows[0][f"{s}_pipelines"]) for s in STATUSES}
    else:  # past the last page
        found = {r["status"]: int(r["pipelines"]) for r in q.fetch_all("sla_status_counts", **binds)}
        counts = {s: found.get(s, 0) for s in STATUSES}
    total = counts[status] if status else sum(counts.values())
    return [row_from(r, now, days) for r in rows], total, counts
