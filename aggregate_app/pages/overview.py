"""Overview: headline numbers, cost cards, top impacted assets, the pipelines table (filter,
sort, source switch) and, with `pipeline_id`, that pipeline's detail (latest runs, SLA)."""

from .common import AGG, PAGE_SIZE, pager, selected_source, sort_rows, source_options
from .gateway import Gateway
from .state import PageState

HEADLINES = (
    ("pipelines", "Pipelines"),
    ("active", "Active"),
    ("runs_24h", "Runs (24 h)"),
    ("failures_24h", "Failed runs (24 h)"),
    ("running", "Running now"),
    ("sla_breaches", "SLA breaches"),
    ("stale_datasets", "Stale datasets"),
)
COSTS = (
    ("cost_24h_aud", "Cost, last 24 h"),
    ("cost_7d_aud", "Cost, last 7 days"),
    ("cost_7d_daily_avg_aud", "Daily average (7 days)"),
)
CRITICALITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_RANK = {"FAILED": 0, "ABORTED": 1, "RUNNING": 2, "SUCCESS": 3}
WINDOW = 500  # rows sorted on the page; beyond that the filters must narrow it down
COLUMNS = (
    ("pipeline_id", "Pipeline"),
    ("pipeline_name", "Name"),
    ("team", "Team"),
    ("domain", "Domain"),
    ("criticality", "Criticality"),
    ("runs_7d", "Runs 7d"),
    ("failures_7d", "Failures 7d"),
    ("last_status", "Last status"),
    ("last_end_ts", "Last end (UTC)"),
)


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "ov_source")
    filters = {
        "search": state["ov_search"],
        "team": state["ov_team"],
        "domain": state["ov_domain"],
        "criticality": state["ov_criticality"],
        "status": state["ov_status"].upper(),
    }
    calls = {
        "summary": (f"{AGG}/summary", {"source": source}),
        "pipelines": (f"{AGG}/pipelines", {"source": source, "limit": WINDOW, **filters}),
        "costs": (f"{AGG}/costs", {"source": source}),
    }
    pid = state["pipeline_id"]
    if pid:
        calls["detail"] = (f"{AGG}/pipelines/{pid}", {"source": source})
        calls["sla"] = (f"{AGG}/pipelines/{pid}/sla", {"source": source})
    r = api.get_many(calls)
    ctx = {"results": list(r.values()), "r": r, "source_options": source_options(), "filters": filters}
    ctx.update(_summary(r["summary"]))
    ctx.update(_pipelines(state, r["pipelines"]))
    costs = r["costs"].body if r["costs"].ok else {}
    ctx["teams"] = sorted(t["team"] for t in costs.get("by_team") or [] if t.get("team"))
    ctx["domains"] = sorted(d["domain"] for d in costs.get("by_domain") or [] if d.get("domain"))
    ctx["top_teams"] = sorted(costs.get("by_team") or [], key=lambda t: -(t.get("cost_7d_aud") or 0))[:5]
    if pid:
        ctx["focus"] = _focus(api, pid, r["detail"], r["sla"])
        ctx["results"] += [ctx["focus"].get("runs_result")]
    return ctx


def _summary(result) -> dict:
    body = result.body if result.ok else {}
    per_source = body.get("by_source") or {}
    return {
        "headlines": [
            {
                "key": k,
                "label": label,
                "value": body.get(k),
                "by_source": {s: a.get(k) for s, a in per_source.items()},
            }
            for k, label in HEADLINES
        ],
        "cost_cards": [
            {
                "key": k,
                "label": label,
                "value": body.get(k),
                "by_source": {s: a.get(k) for s, a in per_source.items()},
            }
            for k, label in COSTS
        ],
        "top_assets": (body.get("top_impacted_downstream_assets") or [])[:10],
    }


def _pipelines(state: PageState, result) -> dict:
    if not result.ok:
        return {"pipelines": [], "pipelines_pager": None}
    rows = result.body.get("items") or []
    field, descending = state["ov_sort"], state["ov_dir"] == "desc"
    rank = CRITICALITY_RANK if field == "criticality" else STATUS_RANK if field == "last_status" else None
    rows = sort_rows(rows, field, descending, rank)
    page = pager(state, "ov_page", len(rows), PAGE_SIZE)
    total = result.body.get("total", len(rows))
    columns = []
    for key, label in COLUMNS:
        active = key == field
        next_dir = ("asc" if descending else "desc") if active else "asc"
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
                "url": state.url(ov_sort=key, ov_dir=next_dir, ov_page=None),
            }
        )
    return {
        "pipelines": rows[page["slice"]],
        "pipelines_pager": page,
        "pipelines_total": total,
        "pipelines_total_is_estimate": bool(result.body.get("total_is_estimate")),
        "pipelines_window_cut": total > len(rows),
        "columns": columns,
    }


def _focus(api: Gateway, pid: str, detail, sla) -> dict:
    focus = {"pipeline_id": pid, "detail": detail, "sla": sla}
    if not detail.ok:
        return focus
    owners = detail.body.get("sources") or list((detail.body.get("by_source") or {}).keys())
    if owners:
        runs = api.get(f"{AGG}/pipelines/{pid}/runs", source=owners[0], limit=10)
        focus.update(runs_result=runs, runs_source=owners[0], runs=runs.body.get("items") if runs.ok else [])
    focus["sla_rows"] = [
        {"source": s, **a} for s, a in ((sla.body.get("by_source") or {}).items() if sla.ok else []) if a
    ]
    return focus
