"""Triage: the runbook catalog (search / team / domain / criticality / status filters) with each
runbook's governance state, and the triage query form, whose answer is shown as an action panel.
The form is a GET, so a triage question is a link too."""

from . import action
from .common import AGG, pager, selected_source, sort_rows, source_options
from .gateway import Gateway
from .state import PageState

WINDOW = 500
STATUSES = ("configured", "missing", "invalid_format")
QUERY_FIELDS = ("pipeline_id", "run_id", "error_code", "error_message", "prompt")


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "tri_source")
    search = state["tri_search"] or state["pipeline_id"]
    calls = {
        "catalog": (
            f"{AGG}/runbooks",
            {
                "source": source,
                "search": search,
                "team": state["tri_team"],
                "domain": state["tri_domain"],
                "criticality": state["tri_criticality"],
                "limit": WINDOW,
            },
        ),
        "governance": (f"{AGG}/runbooks/governance", {"source": source, "limit": 20}),
    }
    r = api.get_many(calls)
    catalog = r["catalog"]
    rows = catalog.body.get("items") or [] if catalog.ok else []
    rows = sort_rows(rows, "pipeline_id", False)
    if state["tri_status"]:
        rows = [row for row in rows if row.get("runbook_status") == state["tri_status"]]
    page = pager(state, "tri_page", len(rows))
    coverage = catalog.body.get("coverage") or {} if catalog.ok else {}
    ctx = {
        "results": list(r.values()),
        "r": r,
        "runbooks": rows[page["slice"]],
        "runbooks_pager": page,
        "coverage": coverage,
        "coverage_pct": _pct(coverage.get("configured"), coverage.get("total")),
        "governance": r["governance"].body if r["governance"].ok else {},
        "source_options": source_options(),
        "statuses": STATUSES,
        "search_value": search,
        "form": _form_values(state),
    }
    if state["tri_run"]:
        ctx["answer"], ctx["answer_error"], query = run_query(api, state)
        ctx["results"].append(query)
    return ctx


def _pct(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if isinstance(part, int) and whole else None


def _form_values(state: PageState) -> dict:
    values = {f: state[f"tri_q_{f}"] for f in QUERY_FIELDS}
    values["pipeline_id"] = values["pipeline_id"] or state["pipeline_id"]
    values.update(source=state["tri_q_source"], mode=state["tri_q_mode"], days=state["tri_q_days"])
    return values


def run_query(api: Gateway, state: PageState):
    form = _form_values(state)
    if not (form["pipeline_id"] or form["run_id"] or form["error_message"] or form["error_code"]):
        return None, "Give a pipeline id, a run id or an error message to triage.", None
    source = "both" if form["source"] == "all" else form["source"]
    body = {
        "source": source,
        "pipeline_id": form["pipeline_id"],
        "run_id": form["run_id"],
        "error_code": form["error_code"],
        "error_message": form["error_message"],
        "user_prompt": form["prompt"],
        "mode": form["mode"],
        "context_days": int(form["days"]),
    }
    body = {k: v for k, v in body.items() if v not in (None, "")}
    result = api.post(f"{AGG}/triage/query", body, source=source)
    if not result.ok:
        return None, f"The triage query could not answer: {result.message}", result
    incident = {"pipeline_id": form["pipeline_id"], "run_id": form["run_id"]} if form["pipeline_id"] else None
    return action.panel(result.body, origin="triage_query", source=source, incident=incident), "", result
