"""Cost anomalies: each pipeline's cost on the latest usage day against its own robust baseline,
and the investigation bundle for one pipeline.

Baseline = the pipeline's daily totals on the `baseline_days` days before the latest day (days
with cost only): median and MAD. ratio = latest / median; robust_z = (latest - median) /
(1.4826 * MAD). Severity bands on the ratio: high >= 3x, medium >= 2x, low >= 1.5x. An anomaly
needs a band, at least 3 baseline days and robust_z >= 3 (or MAD = 0). The SQL is
`cost_anomalies` in sql/queries.sql. The latest day is the newest usage day with any cost in this
source, up to today.
"""

from datetime import date, timedelta

from . import queries as q
from .costs import today

DEFAULT_BASELINE_DAYS = 14
MAX_BASELINE_DAYS = 90
MIN_BASELINE_DAYS = 3
SEVERITIES = ("high", "medium", "low")
_NUMBERS = {"ratio": 2, "robust_z": 2, "baseline_runs_per_day": 2}
_MONEY = ("latest_cost_aud", "baseline_median_aud", "baseline_mad_aud", "baseline_cost_per_run_aud")


def latest_day() -> date | None:
    row = q.fetch_one("cost_latest_day", today=today())
    return row["latest_day"] if row else None


def _item(row: dict, day: date) -> dict:
    for key in _MONEY:
        row[key] = None if row[key] is None else q.money(row[key])
    for key, digits in _NUMBERS.items():
        row[key] = q.num(row[key], digits)
    row["latest_runs"] = int(row["latest_runs"] or 0)
    row["baseline_days_observed"] = int(row["baseline_days_observed"] or 0)
    row["is_anomaly"] = bool(row["is_anomaly"])
    median = row["baseline_median_aud"]
    row["delta_aud"] = None if median is None else q.money(row["latest_cost_aud"] - median)
    row["date"] = day
    return row


def list_anomalies(
    *,
    offset: int,
    limit: int,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    min_ratio: float | None = None,
    anomaly_only: bool = True,
    team: str | None = None,
    domain: str | None = None,
    pipeline_id: str | None = None,
    severity: str | None = None,
    day: date | None = None,
) -> tuple[list[dict], int, date | None]:
    """A page of pipelines scored on `day` (the latest usage day by default), highest ratio first."""
    day = day or latest_day()
    if day is None:
        return [], 0, None
    rows, total = q.fetch_page(
        "cost_anomalies",
        offset=offset,
        limit=limit,
        day=day,
        baseline_start=day - timedelta(days=baseline_days),
        pipeline_id=pipeline_id,
        team=team,
        domain=domain,
        min_ratio=min_ratio,
        anomaly_only=anomaly_only,
        severity=severity,
    )
    return [_item(r, day) for r in rows], total, day
