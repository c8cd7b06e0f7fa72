"""Incidents: the queue (queue.py groups it by pipeline, worst first; filters in the URL) and,
for the selected incident, the operator action panel from explain-run, with the triage query as
the fallback when explain-run cannot answer but the incident carries error details (and as the
path for SLA breaches, which have no run)."""

from . import action, page_pictures, queue
from .common import AGG, pager, selected_source, source_options
from .gateway import Gateway, Result
from .state import PageState

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
HOURS = (("6", "6 hours"), ("24", "24 hours"), ("72", "3 days"), ("168", "7 days"), ("720", "30 days"))


FILTERS = (("inc_severity", "Severity"), ("inc_kind", "Kind"), ("inc_team", "Team"))
FILTERS += (("inc_domain", "Domain"), ("pipeline_id", "Pipeline"))


def _listing(api: Gateway, state: PageState, source: str) -> tuple[Result, list[dict]]:
    """The incidents under the filters (applied at the sources), for the queue to group."""
    query = {"source": source, "hours": state["inc_hours"], "severity": state["inc_severity"]}
    query |= {"team": state["inc_team"], "domain": state["inc_domain"], "kind": state["inc_kind"]}
    return queue.read_all(api, {**query, "pipeline_id": state["pipeline_id"]})


def _chips(state: PageState, listing: Result) -> list[dict]:
    """The active filters, each with the link that removes it; severity with its exact count."""
    counts = listing.body.get("by_severity") or {} if listing.ok else {}
    chips = []
    for name, text in FILTERS:
        value = state[name]
        if value:
            shown = queue.kind_word(value) if name == "inc_kind" else value
            count = counts.get(value) if name == "inc_severity" else None
            chips.append(
                {
                    "label": text,
                    "value": shown,
                    "count": count,
                    "remove": state.url(**{name: None, "inc_page": None}),
                }
            )
    return chips


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "inc_source")
    listing, rows = _listing(api, state, source)
    total = listing.body.get("total", 0) if listing.ok else 0
    groups = queue.group(rows)
    groups_pager = pager(state, "inc_page", len(groups))
    ctx = {
        "results": [listing],
        "listing": listing,
        "groups": groups[groups_pager["slice"]],
        "groups_total": len(groups),
        "incidents_pager": groups_pager,
        "incidents_total": total if listing.ok else None,
        "incidents_grouped": len(rows),
        "chips": _chips(state, listing),
        "by_severity": [(s, (listing.body.get("by_severity") or {}).get(s, 0)) for s in SEVERITIES]
        if listing.ok
        else [],
        "source_options": source_options(),
        "severities": SEVERITIES,
        "hours_choices": HOURS,
    }
    if state["incident"]:
        incident = next((r for r in rows if r.get("incident_id") == state["incident"]), None)
        incident = incident or _incident_from_id(state["incident"], source)
        ctx["selected"] = incident
        ctx["panel"], ctx["panel_error"], used = action_panel(api, incident)
        ctx["results"] += used
        if incident.get("pipeline_id"):
            ctx["incident_lineage"] = page_pictures.incident_lineage(api, incident, rows)
    return ctx


def _incident_from_id(incident_id: str, source: str) -> dict:
    """An incident that is not in the current list (a shared link): run:<run_id>, dq:<run_id> or
    sla:<pipeline_id>."""
    kind, _, ref = incident_id.partition(":")
    guess = {"incident_id": incident_id, "source": None if source == "both" else source}
    if kind == "run":
        return {**guess, "kind": "run_failed", "run_id": ref}
    if kind == "dq":
        return {**guess, "kind": "dq_assertion_failed", "run_id": ref}
    return {**guess, "kind": "sla_breach", "pipeline_id": ref}


def _triage_body(incident: dict) -> dict:
    return {
        "source": incident.get("source") or "both",
        "pipeline_id": incident.get("pipeline_id"),
        "run_id": incident.get("run_id"),
        "error_message": incident.get("error_message"),
        "error_code": incident.get("error_code"),
        "mode": "deterministic",
        "context_days": 7,
    }


def action_panel(api: Gateway, incident: dict) -> tuple[dict | None, str, list[Result]]:
    """(panel, error text, results used): explain-run, else the triage query. The panel's impact is
    the answer's own, so its consumers are those the incident counted."""
    source = incident.get("source") or "both"
    used: list[Result] = []
    explain = None
    if incident.get("run_id"):
        explain = api.get(f"{AGG}/explain/run/{incident['run_id']}", source=source)
        used.append(explain)
        if explain.ok:
            panel = action.panel(explain.body, origin="explain_run", source=source, incident=incident)
            return panel, "", used
    has_details = incident.get("error_message") or incident.get("error_code")
    if explain is not None and not has_details:
        return (
            None,
            f"explain-run could not answer: {explain.message}; the incident has no error details to triage.",
            used,
        )
    body = {k: v for k, v in _triage_body(incident).items() if v not in (None, "")}
    query = api.post(f"{AGG}/triage/query", body, source=source)
    used.append(query)
    if not query.ok:
        return None, f"The triage query could not answer: {query.message}", used
    reason = (
        f"explain-run could not answer ({explain.message}); answered by the triage query from the "
        "incident's error details."
        if explain is not None
        else "No run to explain (an SLA breach): answered by the triage query on the pipeline."
    )
    panel = action.panel(
        query.body, origin="triage_query", source=source, incident=incident, fallback_reason=reason
    )
    return panel, "", used
