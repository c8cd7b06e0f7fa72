"""Costs: the daily trend (an SVG chart drawn from the data), cost cards, the anomalies table
(team / domain, severity band, all or anomalies only, minimum ratio) with Focus (the pipeline in
Overview) and Investigate (the investigation panel, with a triage link prefilled)."""

from django.utils import timezone

from .chart import trend_chart
from .common import AGG, PAGE_SIZE, pager, selected_source, source_options
from .gateway import Gateway
from .overview import last_complete_day
from .state import PageState, goto

BANDS = ("high", "medium", "low")


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "cost_source")
    scope = {"team": state["cost_team"], "domain": state["cost_domain"]}
    calls = {
        "overview": (f"{AGG}/costs", {"source": source}),
        # money only: the page shows no per-day run counts (their distinct counts cost the most)
        "cost_days": (f"{AGG}/costs/trend", {"source": source, "days": 2, "counts": "false"}),
        "trend": (
            f"{AGG}/costs/trend",
            {"source": source, "days": state["cost_days"], "counts": "false", **scope},
        ),
        "anomalies": (
            f"{AGG}/costs/anomalies",
            {
                "source": source,
                "anomaly_only": "true" if state["cost_mode"] == "anomaly_only" else "false",
                "min_ratio": state["cost_min_ratio"],
                "severity": state["cost_band"],
                "offset": (state.int("cost_page") - 1) * PAGE_SIZE,
                "limit": PAGE_SIZE,
                **scope,
            },
        ),
    }
    pid = state["cost_investigate"]
    if pid:
        calls["investigate"] = (
            f"{AGG}/costs/anomalies/investigate/{pid}",
            {"source": state["cost_inv_source"] or source},
        )
    r = api.get_many(calls)
    overview = r["overview"].body if r["overview"].ok else {}
    trend = r["trend"].body if r["trend"].ok else {}
    rows = r["anomalies"].body.get("items") or [] if r["anomalies"].ok else []
    total = r["anomalies"].body.get("total", 0) if r["anomalies"].ok else 0
    label = "all sources" if source == "both" else source
    ctx = {
        "results": list(r.values()),
        "r": r,
        "source_options": source_options(),
        "bands": BANDS,
        "overview": overview,
        "last_day": last_complete_day(r["cost_days"]),
        "trend": trend,
        "chart": trend_chart(
            trend.get("series") or [],
            f"Daily cost (A$), {label}, last {state['cost_days']} days",
            today=_today(),
        ),
        "anomalies": rows,
        "anomalies_total": total,
        "anomalies_pager": pager(state, "cost_page", total),
        "anomalies_date": r["anomalies"].body.get("date") if r["anomalies"].ok else None,
        "teams": sorted(t["team"] for t in overview.get("by_team") or [] if t.get("team")),
        "domains": sorted(d["domain"] for d in overview.get("by_domain") or [] if d.get("domain")),
        "top_teams": sorted(overview.get("by_team") or [], key=lambda t: -(t.get("cost_7d_aud") or 0))[:6],
    }
    if pid:
        ctx["investigation"] = _investigation(r["investigate"], pid, state["cost_inv_source"] or source)
    return ctx


def _today() -> str:
    return timezone.now().date().isoformat()


def _investigation(result, pid: str, source: str) -> dict:
    out = {"pipeline_id": pid, "source": source, "result": result}
    if not result.ok:
        return out
    per_source = result.body.get("by_source") or {}
    name, body = next(iter(per_source.items()), (source, {}))
    anomaly = body.get("anomaly") or {}
    runs = body.get("top_cost_runs") or []
    out.update(
        source=name,
        body=body,
        anomaly=anomaly,
        runs=runs,
        chart=trend_chart(
            (body.get("trend") or {}).get("items") or [],
            f"Daily cost of {pid} ({name}), baseline and latest day",
            today=_today(),
        ),
    )
    prompt = (
        f"Cost anomaly on {anomaly.get('date') or body.get('date')}: AUD {anomaly.get('latest_cost_aud')} "
        f"vs baseline median {anomaly.get('baseline_median_aud')} (ratio {anomaly.get('ratio')}). Why?"
    )
    top_run = runs[0].get("run_id") if runs else ""
    out["triage_url"] = goto(
        "triage",
        tri_q_source=name,
        tri_q_pipeline_id=pid,
        tri_q_run_id=top_run,
        tri_q_prompt=prompt,
        tri_team=anomaly.get("team") or (body.get("pipeline") or {}).get("team"),
    )
    return out
