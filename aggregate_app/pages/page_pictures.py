"""The pictures each page shows, drawn from the aggregate answers the pages read (pictures/ draws
them): an incident's and a pipeline's lineage (its /impact walk), a pipeline's run history, the
incidents per day on the Overview and the governance breach-ratio trend."""

from .common import AGG
from .gateway import Gateway, Result
from .pictures import Picture, lineage, per_day, run_history, sparkline

HISTORY_RUNS = 30
PER_DAY_DAYS = 7
TREND_DAYS = 14


def lineage_of(api: Gateway, pipeline_id: str, source: str, failing: set[str]) -> dict:
    """{"result", "picture"}: the lineage picture of the pipeline's impact walk in `source`, with
    what feeds it when the source answers that too."""
    base, where = f"{AGG}/pipelines/{pipeline_id}", {"source": source or "both"}
    upstream = {**where, "direction": "upstream"}
    r = api.get_many({"down": (f"{base}/impact", where), "up": (f"{base}/lineage", upstream)})
    down, up = r["down"], r["up"]
    picture = (
        lineage.draw(down.body, upstream=up.body if up.ok else None, failing=failing) if down.ok else None
    )
    return {"result": down, "picture": picture}


def incident_lineage(api: Gateway, incident: dict, rows: list[dict]) -> dict:
    """An incident's lineage: its pipeline marked failing, and every pipeline with a failed run
    among the incidents listed from the same source."""
    source = incident.get("source")
    failing = {
        r.get("pipeline_id") for r in rows if r.get("kind") == "run_failed" and r.get("source") == source
    }
    if incident.get("kind") != "sla_breach":
        failing.add(incident.get("pipeline_id"))
    return lineage_of(api, incident["pipeline_id"], source, failing - {None})


def pipeline_pictures(api: Gateway, focus: dict) -> dict:
    """The pipeline panel's lineage and run history, from the source its runs are read from."""
    pid, source = focus["pipeline_id"], focus.get("runs_source")
    if not source:
        return {}
    detail = focus["detail"].body if focus["detail"].ok else {}
    failing = {pid} if detail.get("last_status") == "FAILED" else set()
    runs = api.get(f"{AGG}/pipelines/{pid}/runs", source=source, limit=HISTORY_RUNS)
    sla = next((s for s in focus.get("sla_rows") or [] if s.get("source") == source), {})
    max_minutes = (sla.get("thresholds") or {}).get("max_duration_minutes")
    history = None
    if runs.ok:
        items = runs.body.get("items") or []
        history = run_history.draw(items, pipeline=pid, max_duration_minutes=max_minutes, last=HISTORY_RUNS)
    return {
        "lineage": lineage_of(api, pid, source, failing),
        "history": {"result": runs, "picture": history},
    }


def per_day_call(source: str, *, team: str = "", domain: str = "") -> tuple[str, dict]:
    """The incidents/daily call `incidents_per_day` draws (with the page's other calls, at once)."""
    return f"{AGG}/incidents/daily", {
        "source": source,
        "hours": 24 * PER_DAY_DAYS,
        "team": team,
        "domain": domain,
    }


def incidents_per_day(result: Result, *, team: str = "", domain: str = "") -> dict:
    """Incidents per day by severity over the last PER_DAY_DAYS days, counted by the sources in one
    answer (incidents/daily, `per_day_call`), for the team and domain the Overview is filtered to."""
    if not result.ok:
        return {"result": result, "picture": None, "heading": "Incidents per day by severity"}
    days, earlier = per_day.count(result.body, PER_DAY_DAYS)
    scope = "".join(f", {k} {v}" for k, v in (("team", team), ("domain", domain)) if v)
    heading = f"Incidents per day by severity, last {PER_DAY_DAYS} days (UTC){scope}"
    return {"result": result, "picture": per_day.draw(days, earlier=earlier), "heading": heading}


def governance_trend(api: Gateway, source: str) -> dict:
    """One breach-ratio sparkline per source, over the posture trend's last TREND_DAYS days."""
    result: Result = api.get(f"{AGG}/governance/posture/trend", source=source, days=TREND_DAYS)
    lines: list[tuple[str, Picture]] = []
    for name, answer in (result.body.get("by_source") or {}).items() if result.ok else []:
        points = [(p.get("date"), p.get("breach_ratio")) for p in (answer or {}).get("items") or []]
        if points:
            title = f"Breach ratio per day, {name}"
            lines.append((name, sparkline.draw(points, title=title, percent=True)))
    return {"result": result, "lines": lines}
