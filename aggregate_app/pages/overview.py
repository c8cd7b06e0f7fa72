"""Overview: headline numbers, cost cards, top impacted assets, the pipelines table (filter,
sort, source switch) and, with `pipeline_id`, that pipeline's detail (latest runs, SLA)."""

from django.utils import timezone

from .. import catalog, sources
from . import page_pictures
from .common import AGG, PAGE_SIZE, pager, selected_source, source_options
from .gateway import Gateway
from .state import PageState, goto

LIST_SIZE = 20  # rows per page of the SLA breaches and stale datasets sections
# Headlines whose rows are listed on this page: (section anchor, the list's paging and filters to
# reset) — each list's total is the number.
LISTED = {
    "pipelines": ("#pipelines-title", ("ov_page", "ov_search", "ov_team", "ov_domain", "ov_criticality",
                                       "ov_status")),
    "sla_breaches": ("#sla-breaches", ("ov_sla_page",)),
    "stale_datasets": ("#stale-datasets", ("ov_stale_page",)),
}  # fmt: skip
SHOWN_PER_ASSET = 4  # failing pipelines named per asset (the rest counted)
# (key, label, definition): each headline says what it counts; the source's summary computes it.
HEADLINES = (
    ("pipelines", "Pipelines", "Pipelines in the selected sources, one per identity (id, name, namespace)."),
    ("active", "Active", "Of those, pipelines marked active in at least one source."),
    ("runs_24h", "Runs (24 h)", "Runs started in the last 24 hours, every source."),
    (
        "failures_24h",
        "Failed runs (24 h)",
        "Runs that FAILED in the last 24 hours: the failed-run incidents.",
    ),
    ("running", "Running now", "Runs in state RUNNING now."),
    ("sla_breaches", "SLA breaches", "Active pipeline deployments whose SLA is breached over 7 days."),
    ("stale_datasets", "Stale datasets", "Datasets whose last update is older than their freshness SLA."),
)
# (key, label, detail): costs are booked per UTC usage day, so "today" is a part day and the 7-day
# window ends today; each card says which days it adds up (pipelines_app/costs.py).
COSTS = (
    ("cost_24h_aud", "Today so far (UTC)", "Since 00:00 UTC: a part day."),
    ("cost_7d_aud", "Last 7 days", "The 7 UTC days ending today, today so far included."),
    ("cost_7d_daily_avg_aud", "Daily average, last 7 days", "7-day total ÷ 7, today's part day included."),
)
COLUMNS = (
    ("pipeline_name", "Pipeline"),  # names first; the id, which may be opaque (`ol_…`), second
    ("pipeline_id", "Id"),
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
        "pipelines": (
            f"{AGG}/pipelines",
            {
                "source": source,
                **filters,
                "sort": state["ov_sort"],
                "order": state["ov_dir"],
                "offset": (state.int("ov_page") - 1) * PAGE_SIZE,
                "limit": PAGE_SIZE,
            },
        ),
        "costs": (f"{AGG}/costs", {"source": source}),
        "cost_days": (f"{AGG}/costs/trend", {"source": source, "days": 2, "counts": "false"}),
        "sla_breaches": (
            f"{AGG}/sla/pipelines",
            {"source": source, "status": "breached", **_page(state, "ov_sla_page")},
        ),
        "stale": (f"{AGG}/datasets/stale", {"source": source, **_page(state, "ov_stale_page")}),
    }
    calls["per_day"] = page_pictures.per_day_call(source, team=filters["team"], domain=filters["domain"])
    pid = state["pipeline_id"]
    if pid:
        calls["detail"] = (f"{AGG}/pipelines/{pid}", {"source": source})
        calls["sla"] = (f"{AGG}/pipelines/{pid}/sla", {"source": source})
    r = api.get_many(calls)
    ctx = {"results": list(r.values()), "r": r, "source_options": source_options(), "filters": filters}
    ctx.update(_summary(r["summary"], _links(state)))
    ctx["top_assets"] = _named(request, source, ctx["top_assets"])
    ctx["cost_cards"].insert(1, last_complete_day(r["cost_days"]))
    ctx.update(_pipelines(state, r["pipelines"]))
    ctx["sla_list"] = _listed(state, r["sla_breaches"], "ov_sla_page")
    ctx["stale_list"] = _listed(state, r["stale"], "ov_stale_page")
    costs = r["costs"].body if r["costs"].ok else {}
    ctx["teams"] = sorted(t["team"] for t in costs.get("by_team") or [] if t.get("team"))
    ctx["domains"] = sorted(d["domain"] for d in costs.get("by_domain") or [] if d.get("domain"))
    ctx["top_teams"] = sorted(costs.get("by_team") or [], key=lambda t: -(t.get("cost_7d_aud") or 0))[:5]
    if pid:
        ctx["focus"] = _focus(api, pid, r["detail"], r["sla"])
        ctx["results"] += [ctx["focus"].get("runs_result")]
        ctx["focus"]["pictures"] = page_pictures.pipeline_pictures(api, ctx["focus"])
    ctx["per_day"] = page_pictures.incidents_per_day(
        r["per_day"], team=filters["team"], domain=filters["domain"]
    )
    return ctx


def _links(state: PageState) -> dict:
    """Where each headline's rows are: a list on this page (its first page, unfiltered), or the
    incidents queue."""
    links = {
        key: state.url(**{name: None for name in reset}, pipeline_id=None) + anchor
        for key, (anchor, reset) in LISTED.items()
    }
    failed = goto("incidents", inc_kind="run_failed", inc_hours="24", inc_source=state["ov_source"])
    return {**links, "failures_24h": failed + "#incidents-title"}


def _named(request, source: str, assets: list[dict]) -> list[dict]:
    """Each asset's failing pipelines (the summary names their ids) as {pipeline_id, pipeline_name}:
    the names of the few shown, asked of the sources in one call each."""
    shown = [pid for a in assets for pid in (a.get("failing_pipelines") or [])[:SHOWN_PER_ASSET]]
    user = request.user.get_username() if request.user.is_authenticated else ""
    names = catalog.pipeline_names(sources.select(source), shown, user) if shown else {}
    return [
        {
            **a,
            "pipelines": [
                {"pipeline_id": pid, "pipeline_name": names.get(pid)}
                for pid in (a.get("failing_pipelines") or [])[:SHOWN_PER_ASSET]
            ],
            "more_pipelines": max(
                0,
                (a.get("impacted_by") or len(a.get("failing_pipelines") or []))
                - len((a.get("failing_pipelines") or [])[:SHOWN_PER_ASSET]),
            ),
        }
        for a in assets
    ]


def _summary(result, links: dict) -> dict:
    body = result.body if result.ok else {}
    per_source = body.get("by_source") or {}
    return {
        "headlines": [
            {
                "key": k,
                "label": label,
                "definition": definition,
                "anchor": links.get(k),
                "value": body.get(k),
                "by_source": {s: a.get(k) for s, a in per_source.items()},
            }
            for k, label, definition in HEADLINES
        ],
        "cost_cards": [
            {
                "key": k,
                "label": label,
                "detail": detail,
                "value": body.get(k),
                "by_source": {s: a.get(k) for s, a in per_source.items()},
            }
            for k, label, detail in COSTS
        ],
        "top_assets": (body.get("top_impacted_downstream_assets") or [])[:10],
    }


def last_complete_day(result) -> dict:
    """The card for the last whole UTC day (the day before today), from a 2-day cost trend."""
    series = result.body.get("series") or [] if result.ok else []
    today = timezone.now().date().isoformat()
    whole = [p for p in series if p.get("date") and str(p["date"]) < today]
    day = whole[-1] if whole else {}
    return {
        "key": "cost_last_day_aud",
        "label": "Last complete day (UTC)",
        "detail": str(day["date"]) if day else "No complete day in the answer.",
        "value": day.get("cost_aud"),
        "by_source": {s: (v or {}).get("cost_aud") for s, v in (day.get("by_source") or {}).items()},
    }


def _page(state: PageState, param: str) -> dict:
    return {"offset": (state.int(param) - 1) * LIST_SIZE, "limit": LIST_SIZE}


def _listed(state: PageState, result, param: str) -> dict:
    """One page of a headline's rows; its total is the headline's number."""
    if not result.ok:
        return {"result": result, "rows": [], "pager": None, "total": None}
    total = result.body.get("total", 0)
    return {
        "result": result,
        "rows": result.body.get("items") or [],
        "pager": pager(state, param, total, LIST_SIZE),
        "total": total,
    }


def _pipelines(state: PageState, result) -> dict:
    """One page of the merged catalogue, ordered and paged by the control tier's API."""
    if not result.ok:
        return {"pipelines": [], "pipelines_pager": None}
    field, descending = state["ov_sort"], state["ov_dir"] == "desc"
    total = result.body.get("total", 0)
    conflicts = set((result.meta.get("identity_conflicts") or {}).get("ids") or [])
    rows = [_focusable(state, row, conflicts) for row in result.body.get("items") or []]
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
        "pipelines": rows,
        "pipelines_pager": pager(state, "ov_page", total, PAGE_SIZE),
        "pipelines_total": total,
        "identity_conflicts": result.meta.get("identity_conflicts") or {},
        "columns": columns,
    }


def _focusable(state: PageState, row: dict, conflicts: set) -> dict:
    """A row whose id names another pipeline elsewhere opens in its own source."""
    own = row.get("sources") or []
    source = own[0] if row.get("pipeline_id") in conflicts and len(own) == 1 else None
    extra = {"ov_source": source} if source else {}
    return {**row, "focus_url": state.url(pipeline_id=row.get("pipeline_id"), **extra)}


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
