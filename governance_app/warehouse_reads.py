"""The telemetry governance reads, in one place. Where pipelines_app already answers the question
it is asked (SLA breaches with governance-aware thresholds: pipelines_app.sla; cost anomalies:
pipelines_app.cost_anomalies), so a breach or an anomaly means the same on every page; the rest
is a little SQL here (Snowflake dialect, `?` binds, "now" always a bind parameter)."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from pipelines_app import cost_anomalies, sla
from pipelines_app.warehouse import get_warehouse

PIPELINE_COLUMNS = (
    "pipeline_id, pipeline_name, team, domain, owner, criticality, platform, expected_interval_minutes, "
    "freshness_sla_minutes, max_duration_minutes, runbook_url, tags, is_active, created_ts"
)
WINDOW_DAYS = 7
MAX_ANOMALIES = 100_000


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


def failures(
    now: datetime | None = None, days: int = WINDOW_DAYS, pipeline_id: str | None = None
) -> dict[str, int]:
    """FAILED runs per pipeline (or of one) that started in the last `days` days."""
    end = naive_utc(now)
    one = " AND pipeline_id = ?" if pipeline_id is not None else ""
    rows = get_warehouse().fetch_all(
        f"""SELECT pipeline_id, COUNT(*) AS failures FROM PIPELINE_RUNS
           WHERE status = 'FAILED' AND start_ts >= ? AND start_ts <= ?{one} GROUP BY pipeline_id""",
        [end - timedelta(days=days), end, *([pipeline_id] if one else [])],
    )
    return {r["pipeline_id"]: int(r["failures"]) for r in rows}


def run_evidence(pipelines: list[dict], now: datetime | None = None) -> dict[str, dict]:
    """Per pipeline: this week's finished runs, breached runs and breach ratio (pipelines_app.sla's
    statement, under the thresholds that apply, governance profiles included), last week's runs and
    breaches, and this week's failures, all as of `now`."""
    end = naive_utc(now)
    only = pipelines[0]["pipeline_id"] if len(pipelines) == 1 else None  # one pipeline: count its own
    this_week = sla.run_counts(days=WINDOW_DAYS, now=end, pipeline_id=only)
    two_weeks = sla.run_counts(days=2 * WINDOW_DAYS, now=end, pipeline_id=only)
    failed = failures(end, pipeline_id=only)
    evidence = {}
    for pid in (p["pipeline_id"] for p in pipelines if p["pipeline_id"] in this_week):
        runs, breached = this_week[pid]
        both_runs, both_breached = two_weeks[pid]
        evidence[pid] = {
            "runs": runs,
            "breaches": breached,
            "breach_ratio": sla.breach_ratio(breached, runs),
            "failures": failed.get(pid, 0),
            "previous_runs": both_runs - runs,
            "previous_breaches": both_breached - breached,
        }
    return evidence


def pipelines_with_evidence(now: datetime | None = None) -> tuple[list[dict], dict[str, dict]]:
    rows = pipelines()
    return rows, run_evidence(rows, now)


def daily_runs(now: datetime | None = None, days: int = 30) -> list[dict]:
    """Per day (UTC) over the last `days`: finished runs, failures, and breaches (failed or aborted,
    or longer than the pipeline's own max duration: the trend does not replay profile history)."""
    end = naive_utc(now)
    start = (end - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    sql = """
        SELECT CAST(r.start_ts AS DATE) AS day,
               COUNT(*) AS runs,
               SUM(CASE WHEN r.status = 'FAILED' THEN 1 ELSE 0 END) AS failures,
               SUM(CASE WHEN r.status IN ('FAILED', 'ABORTED')
                          OR r.duration_seconds > p.max_duration_minutes * 60 THEN 1 ELSE 0 END) AS breaches
        FROM PIPELINE_RUNS r
        LEFT JOIN (SELECT pipeline_id, MAX(max_duration_minutes) AS max_duration_minutes
                   FROM PIPELINES GROUP BY pipeline_id) p ON p.pipeline_id = r.pipeline_id
        WHERE r.start_ts >= ? AND r.start_ts < ? AND r.status IN ('SUCCESS', 'FAILED', 'ABORTED')
        GROUP BY CAST(r.start_ts AS DATE)
        ORDER BY day"""
    rows = get_warehouse().fetch_all(sql, [start, end])
    return [
        {"day": _as_date(r["day"]), **{k: int(r[k] or 0) for k in ("runs", "failures", "breaches")}}
        for r in rows
    ]


def anomalous_pipelines() -> dict[str, int]:
    """Pipelines whose cost is an anomaly on the latest usage day (pipelines_app.cost_anomalies): {id: 1}."""
    rows, _, _ = cost_anomalies.list_anomalies(offset=0, limit=MAX_ANOMALIES, anomaly_only=True)
    return {r["pipeline_id"]: 1 for r in rows}


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value
