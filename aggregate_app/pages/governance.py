"""Governance: KPI cards (runbook coverage, critical runbook gaps, SLA pressure, cost anomalies,
DQ mismatches), each the total of its drilldown; the selected drilldown's rows with "Open in
runbooks" (Triage, filters prefilled); team scorecards that click through to Policy."""

from governance_app.runbooks import runbook_status
from governance_app.scorecards import UNASSIGNED_TEAM

from . import page_pictures
from .common import AGG, pager, selected_source, source_options
from .gateway import Gateway
from .state import PageState, goto

KPIS = (
    ("runbook_coverage", "Runbook coverage"),
    ("critical_runbook_gaps", "Critical runbook gaps"),
    ("sla_pressure", "SLA breached or at risk"),
    ("cost_anomalies", "Cost anomalies"),
    ("dq_mismatches", "DQ mismatches"),
)
DEFINITIONS = {
    "runbook_coverage": "Pipelines with a configured runbook, of all pipelines.",
    "critical_runbook_gaps": "Critical pipelines without a usable runbook.",
    "sla_pressure": "Active pipeline deployments whose SLA status is breached or at risk over the window "
    "(the Overview's SLA breaches are the breached ones).",
    "cost_anomalies": "Pipelines whose latest day's cost is an anomaly against their own baseline.",
    "dq_mismatches": "Pipelines failing their data-quality standards.",
}
ROWS = 500  # rows read for the chosen drilldown; shown a page at a time
PAGE = 25
SLA_RANK = {"breached": 0, "at_risk": 1}


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "gov_source")
    chosen = state["gov_drilldown"]
    calls = {
        kind: (
            f"{AGG}/governance/drilldown",
            {
                "source": source,
                "drilldown": kind,
                "days": state["gov_days"],
                "limit": ROWS if kind == chosen else 1,
            },
        )
        for kind, _ in KPIS
    }
    calls["posture"] = (f"{AGG}/governance/posture", {"source": source})
    calls["scorecards"] = (f"{AGG}/scorecards/teams", {"source": source, "limit": 200})
    r = api.get_many(calls)
    drill = r[chosen]
    rows = drill.body.get("items") or [] if drill.ok else []
    if state["gov_team"]:
        rows = [row for row in rows if (row.get("team") or "").lower() == state["gov_team"].lower()]
    if state["pipeline_id"]:
        rows = [row for row in rows if row.get("pipeline_id") == state["pipeline_id"]]
    # The answers may be kept and shared with other requests (kept.py): sorted and linked as copies.
    if chosen == "sla_pressure":
        rows = sorted(
            rows, key=lambda row: (SLA_RANK.get(row.get("status"), 2), -(row.get("breach_ratio") or 0))
        )
    page = pager(state, "gov_page", len(rows), PAGE)
    rows = [
        dict(row, links=_row_links(chosen, row, source, state["gov_days"])) for row in rows[page["slice"]]
    ]
    cards = r["scorecards"].body.get("items") or [] if r["scorecards"].ok else []
    cards = [dict(card, links=scorecard_links(state, card, source)) for card in cards]
    return {
        "results": list(r.values()),
        "r": r,
        "source_options": source_options(),
        "kpis": [_kpi(kind, label, r[kind], state) for kind, label in KPIS],
        "drill": drill,
        "drill_kind": chosen,
        "drill_label": dict(KPIS)[chosen],
        "drill_rows": rows,
        "drill_pager": page,
        "posture": r["posture"].body if r["posture"].ok else {},
        "posture_trend": page_pictures.governance_trend(api, source),
        "scorecards": sorted(cards, key=lambda c: (c.get("score") is None, c.get("score") or 0)),
    }


def scorecard_links(state: PageState, card: dict, source: str) -> dict:
    """Where each of a team's counts is listed, filtered to that team (the same total): its DQ
    failures in the DQ drilldown here, its policy mismatches and unmanaged exceptions in Policy."""
    team = card.get("team")
    if not team or team == UNASSIGNED_TEAM:  # no filter names the pipelines without a team
        return {}
    policy = {
        "policy_source": card.get("source") or source,
        "policy_team": team,
        "policy_days": state["gov_days"],
    }
    return {
        "policy": goto("policy", **policy),
        "drill": state.url(gov_team=team, gov_page=None),
        "dq_failures": state.url(gov_drilldown="dq_mismatches", gov_team=team, gov_page=None)
        + "#drill-title",
        "policy_mismatches": goto("policy", **policy, policy_mismatch="mismatch") + "#effective-title",
        "unmanaged_exceptions": goto("policy", **policy, policy_exception_state="unmanaged")
        + "#effective-title",
    }


def _kpi(kind: str, label: str, result, state: PageState) -> dict:
    kpi = {
        "kind": kind,
        "label": label,
        "definition": DEFINITIONS[kind],
        "url": state.url(gov_drilldown=kind, gov_page=None),
        "active": kind == state["gov_drilldown"],
    }
    if not result.ok:
        return {**kpi, "value": None, "error": result.message}
    body = result.body
    if kind == "runbook_coverage":
        per_source = body.get("by_source") or {}
        total = sum(s.get("pipelines", 0) for s in per_source.values())
        missing = sum(s.get("missing", 0) for s in per_source.values())
        pct = round(100.0 * (total - missing) / total, 1) if total else None
        return {
            **kpi,
            "value": f"{pct}%" if pct is not None else "–",
            "detail": f"{total - missing} of {total} pipelines",
        }
    by_source = body.get("by_source") or {}
    detail = ", ".join(f"{s} {n}" for s, n in by_source.items())
    return {**kpi, "value": body.get("total"), "detail": detail}


def _row_links(kind: str, row: dict, source: str, days: str) -> dict:
    src = row.get("source") or source
    pid = row.get("pipeline_id")
    if kind == "runbook_coverage":
        return {
            "runbooks": goto(
                "triage",
                tri_source=source,
                tri_team=row.get("team") if row.get("team") != UNASSIGNED_TEAM else None,
                tri_status="missing",
            ),
            "policy": goto("policy", policy_source=source, policy_team=row.get("team"), policy_days=days),
        }
    links = {
        "runbooks": goto(
            "triage",
            tri_source=src,
            tri_search=pid,
            tri_team=row.get("team"),
            tri_domain=row.get("domain"),
            tri_status=_runbook_status(row),
            tri_criticality=row.get("criticality") if kind == "critical_runbook_gaps" else None,
        ),
        "overview": goto("overview", ov_source=src, pipeline_id=pid),
    }
    if kind == "cost_anomalies":
        links["costs"] = goto(
            "costs", cost_source=src, cost_investigate=pid, cost_inv_source=src, cost_mode="all"
        )
    return links


def _runbook_status(row: dict) -> str | None:
    """The row's runbook status (configured / missing / invalid_format) as the catalog's filter
    reads it, when the row says it or carries the runbook URL it is judged from."""
    if row.get("runbook_status"):
        return row["runbook_status"]
    return str(runbook_status(row["runbook_url"])) if "runbook_url" in row else None
