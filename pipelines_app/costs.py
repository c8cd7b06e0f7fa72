"""Costs from RUN_COSTS: totals, breakdowns, daily trends and the pipeline ranking.

RUN_COSTS is daily-grained (`usage_date`), so windows are whole UTC usage days ending today,
today included: `cost_24h_aud` is today's usage day, `cost_7d_aud` the 7 days ending today and
`cost_7d_daily_avg_aud` = cost_7d_aud / 7. Money is AUD rounded to cents.
"""

from datetime import date, timedelta

from . import queries as q
from .pipelines import require_pipeline

DEFAULT_TREND_DAYS = 30
MAX_TREND_DAYS = 365
DEFAULT_RANKING_DAYS = 7


def today() -> date:
    return q.now_naive().date()


def window(days: int, end: date | None = None) -> tuple[date, date]:
    """(first, last) usage day of the `days`-day window ending `end` (today by default)."""
    end = end or today()
    return end - timedelta(days=days - 1), end


def totals() -> dict:
    """cost_24h_aud, cost_7d_aud and cost_7d_daily_avg_aud for the whole source."""
    start, end = window(7)
    row = q.fetch_one("cost_totals", today=end, since_date=start) or {}
    cost_7d = row.get("cost_7d_aud") or 0
    return {
        "cost_24h_aud": q.money(row.get("cost_24h_aud")),
        "cost_7d_aud": q.money(cost_7d),
        "cost_7d_daily_avg_aud": q.money(float(cost_7d) / 7),
    }


def _breakdown(name: str, key: str) -> list[dict]:
    start, end = window(7)
    return [
        {
            key: r[key],
            "cost_24h_aud": q.money(r["cost_24h_aud"]),
            "cost_7d_aud": q.money(r["cost_7d_aud"]),
            "pipelines": int(r["pipelines"]),
        }
        for r in q.fetch_all(name, today=end, since_date=start)
    ]


def overview() -> dict:
    return {
        **totals(),
        "by_team": _breakdown("cost_by_team", "team"),
        "by_domain": _breakdown("cost_by_domain", "domain"),
        "window_start": window(7)[0],
        "window_end": today(),
    }


def daily_series(
    days: int, *, pipeline_id=None, team=None, domain=None, end: date | None = None, counts: bool = True
) -> list[dict]:
    """One point per usage day in the window (zero on days without cost), oldest first; without
    `counts`, money only (no `runs` / `pipelines`: distinct counts, the costly part)."""
    start, end = window(days, end)
    rows = q.fetch_all(
        "cost_daily" if counts else "cost_daily_totals",
        start_date=start,
        end_date=end,
        pipeline_id=pipeline_id,
        team=team,
        domain=domain,
    )
    by_day = {r["usage_date"]: r for r in rows}
    series = []
    for i in range(days):
        day = start + timedelta(days=i)
        r = by_day.get(day, {})
        point = {
            "date": day,
            "cost_aud": q.money(r.get("cost_aud")),
            "credits_used": q.num(r.get("credits_used") or 0, 4),
        }
        if counts:
            point.update(runs=int(r.get("runs") or 0), pipelines=int(r.get("pipelines") or 0))
        series.append(point)
    return series


def trend(days: int = DEFAULT_TREND_DAYS, *, team=None, domain=None, counts: bool | None = None) -> dict:
    series = daily_series(days, team=team, domain=domain, counts=counts is not False)
    total = sum(p["cost_aud"] for p in series)
    return {
        "days": days,
        "start_date": series[0]["date"],
        "end_date": series[-1]["date"],
        "total_aud": q.money(total),
        "daily_avg_aud": q.money(total / days),
        "series": series,
    }


def pipeline_ranking(*, days: int, offset: int, limit: int, team=None, domain=None) -> tuple[list, int]:
    start, end = window(days)
    rows, total = q.fetch_page(
        "cost_pipeline_ranking",
        offset=offset,
        limit=limit,
        start_date=start,
        end_date=end,
        team=team,
        domain=domain,
    )
    items = []
    for r in rows:
        cost, runs, window_total = (
            float(r["cost_aud"] or 0),
            int(r["runs"]),
            float(r.pop("window_total_aud") or 0),
        )
        r |= {
            "cost_aud": q.money(cost),
            "runs": runs,
            "avg_cost_per_run_aud": q.money(cost / runs if runs else 0),
            "share_pct": round(100 * cost / window_total, 2) if window_total else 0.0,
        }
        items.append(r)
    return items, total


def pipeline_cost(pipeline_id: str, days: int = DEFAULT_TREND_DAYS) -> dict:
    pipeline = require_pipeline(pipeline_id)
    full = daily_series(max(days, 7), pipeline_id=pipeline_id)
    series = full[-days:]
    total = sum(p["cost_aud"] for p in series)
    return {
        "pipeline_id": pipeline_id,
        "pipeline_name": pipeline["pipeline_name"],
        "team": pipeline["team"],
        "domain": pipeline["domain"],
        "days": days,
        "total_aud": q.money(total),
        "daily_avg_aud": q.money(total / days),
        "cost_24h_aud": series[-1]["cost_aud"],
        "cost_7d_aud": q.money(sum(p["cost_aud"] for p in full[-7:])),
        "runs": sum(p["runs"] for p in series),
        "series": series,
    }


def run_cost(run_id: str) -> dict | None:
    """The cost booked against one run, or None when none was."""
    row = q.fetch_one("run_cost", run_id=run_id)
    if not row or not row.get("cost_rows"):
        return None
    return {"cost_aud": q.money(row["cost_aud"]), "credits_used": q.num(row["credits_used"], 4)}
