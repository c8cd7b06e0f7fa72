"""The telemetry governance reads: pipelines' attributes and run evidence (failures, SLA breaches,
cost anomalies). SQL is Snowflake dialect with `?` binds; "now" is always a bind parameter.

A run *breaches* when it failed or was aborted, or ran longer than a maximum duration. The
breach counts come back for the pipeline's own `max_duration_minutes` and for each SLA profile's,
so callers pick the threshold that applies (governance_app.policies) without a query per pipeline."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from pipelines_app.warehouse import get_warehouse

from .policies import PROFILES

PIPELINE_COLUMNS = (
    "pipeline_id, pipeline_name, team, domain, owner, criticality, platform, expected_interval_minutes, "
    "freshness_sla_minutes, max_duration_minutes, runbook_url, tags, is_active"
)
COMPLETED = "('SUCCESS', 'FAILED', 'ABORTED')"
BREACH = "r.status IN ('FAILED', 'ABORTED') OR r.duration_seconds > {limit}"
OWN_BREACH = BREACH.format(limit="p.max_duration_minutes * 60")
RUNS_WITH_LIMITS = """PIPELINE_RUNS r
        LEFT JOIN (SELECT pipeline_id, MAX(max_duration_minutes) AS max_duration_minutes
                   FROM PIPELINES GROUP BY pipeline_id) p ON p.pipeline_id = r.pipeline_id"""


def naive_utc(moment: datetime | None = None) -> datetime:
    """Telemetry timestamps are naive UTC."""
    moment = moment or timezone.now()
    return moment.astimezone(UTC).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def pipelines() -> list[dict]:
    """Active pipelines, one row per id (the first wins if telemetry holds duplicates)."""
    rows = get_warehouse().fetch_all(
        f"SELECT {PIPELINE_COLUMNS} FROM PIPELINES WHERE COALESCE(is_active, TRUE) ORDER BY pipeline_id"
    )
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row["pipeline_id"], row)
    return list(seen.values())


def run_evidence(now: datetime | None = None, days: int = 7, *, end_offset_days: int = 0) -> dict[str, dict]:
    """Per pipeline, over the `days` before now (shifted back by `end_offset_days`): runs, failures,
    and breach counts per threshold (`breaches_own` and `breaches_<profile>`)."""
    end = naive_utc(now) - timedelta(days=end_offset_days)
    start = end - timedelta(days=days)
    profile_cols = ", ".join(
        f"SUM(CASE WHEN {BREACH.format(limit='?')} THEN 1 ELSE 0 END) AS breaches_{name}" for name in PROFILES
    )
    sql = f"""
        SELECT r.pipeline_id,
               COUNT(*) AS runs,
               SUM(CASE WHEN r.status = 'FAILED' THEN 1 ELSE 0 END) AS failures,
               SUM(CASE WHEN {OWN_BREACH} THEN 1 ELSE 0 END) AS breaches_own,
               {profile_cols}
        FROM {RUNS_WITH_LIMITS}
        WHERE r.start_ts >= ? AND r.start_ts < ? AND r.status IN {COMPLETED}
        GROUP BY r.pipeline_id"""
    limits = [p.max_duration_minutes * 60 for p in PROFILES.values()]
    rows = get_warehouse().fetch_all(sql, [*limits, start, end])
    return {r["pipeline_id"]: {k: int(v or 0) for k, v in r.items() if k != "pipeline_id"} for r in rows}


def daily_runs(now: datetime | None = None, days: int = 30) -> list[dict]:
    """Per day (UTC) over the last `days`: completed runs, failures and breaches (own thresholds)."""
    end = naive_utc(now)
    start = (end - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    sql = f"""
        SELECT CAST(r.start_ts AS DATE) AS day,
               COUNT(*) AS runs,
               SUM(CASE WHEN r.status = 'FAILED' THEN 1 ELSE 0 END) AS failures,
               SUM(CASE WHEN {OWN_BREACH} THEN 1 ELSE 0 END) AS breaches
        FROM {RUNS_WITH_LIMITS}
        WHERE r.start_ts >= ? AND r.start_ts < ? AND r.status IN {COMPLETED}
        GROUP BY CAST(r.start_ts AS DATE)
        ORDER BY day"""
    rows = get_warehouse().fetch_all(sql, [start, end])
    return [
        {**r, "day": _as_date(r["day"]), **{k: int(r[k] or 0) for k in ("runs", "failures", "breaches")}}
        for r in rows
    ]


def cost_anomalies(
    now: datetime | None = None, days: int = 7, baseline_days: int = 28, factor: float = 2.0
) -> dict[str, int]:
    """Per pipeline: days in the last `days` whose cost exceeded `factor` x its average daily cost
    over the `baseline_days` before them."""
    today = naive_utc(now).date()
    window_start = today - timedelta(days=days - 1)
    base_start = window_start - timedelta(days=baseline_days)
    sql = """
        WITH daily AS (
            SELECT pipeline_id, usage_date, SUM(cost_aud) AS cost
            FROM RUN_COSTS WHERE usage_date >= ? AND usage_date <= ?
            GROUP BY pipeline_id, usage_date),
        base AS (
            SELECT pipeline_id, AVG(cost) AS avg_cost FROM daily WHERE usage_date < ? GROUP BY pipeline_id)
        SELECT d.pipeline_id, COUNT(*) AS anomalies
        FROM daily d JOIN base b ON b.pipeline_id = d.pipeline_id
        WHERE d.usage_date >= ? AND d.cost > CAST(? AS FLOAT) * b.avg_cost AND b.avg_cost > 0
        GROUP BY d.pipeline_id"""
    rows = get_warehouse().fetch_all(sql, [base_start, today, window_start, window_start, factor])
    return {r["pipeline_id"]: int(r["anomalies"]) for r in rows}


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value
