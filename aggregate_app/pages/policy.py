"""Policy: SLA profile assignments (effective table with mismatch and exception flags), exception
register and review queue, audit history with filters, DQ standards with live evidence, profile
KPIs; for governance admins the assign / remove / review forms (POSTed here, CSRF-protected,
written through the aggregate write routes so the source audits the signed-in user)."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import timezone

from controltower.roles import GOVERNANCE_ADMIN, has_role

from .common import AGG, by_source_items, pager, selected_source, sort_rows, source_options
from .forms import FORMS, AssignForm, RemoveForm, ReviewForm
from .gateway import Gateway
from .policy_kpis import kpis, standards_coverage
from .state import PageState, goto

WINDOW = 500
MISMATCH_FLAG = {"all": "", "mismatch": "true", "aligned": "false"}  # policy_mismatch -> the API's flag


def build(state: PageState, api: Gateway, request, bound: dict | None = None) -> dict:
    source = selected_source(state, "policy_source")
    calls = {
        "profiles": (f"{AGG}/policies/profiles", {"source": source}),
        "effective": (
            f"{AGG}/policies/effective",
            {
                "source": source,
                "exception_state": state["policy_exception_state"],
                "mismatch": MISMATCH_FLAG[state["policy_mismatch"]],
                "team": state["policy_team"],
                "pipeline_id": state["pipeline_id"],
                "limit": WINDOW,
            },
        ),
        "history": (
            f"{AGG}/policies/history",
            {
                "source": source,
                "action": state["policy_audit_action"],
                "scope": state["policy_audit_scope"],
                "target_id": state["policy_audit_target"],
                "since": _since(state["policy_days"]),
                "limit": 50,
            },
        ),
        "register": (
            f"{AGG}/policies/exceptions/register",
            {"source": source, "status": state["policy_register"], "limit": 100},
        ),
        "queue": (f"{AGG}/policies/review-queue", {"source": source, "limit": 50}),
        "dq_standards": (f"{AGG}/dq/standards", {"source": source, "limit": 100}),
        "dq_effective": (
            f"{AGG}/dq/effective",
            {
                "source": source,
                "status": "fail",
                "team": state["policy_team"],
                "pipeline_id": state["pipeline_id"],
                "limit": 8,
            },
        ),
    }
    r = api.get_many(calls)
    rows = sort_rows(by_source_items(r["effective"].body) if r["effective"].ok else [], "pipeline_id", False)
    if state["policy_profile"]:
        rows = [row for row in rows if row.get("effective_profile") == state["policy_profile"]]
    if state["policy_exception"] == "exception":
        rows = [row for row in rows if has_exception(row)]
    for row in rows:
        row["links"] = _row_links(row)
    page = pager(state, "policy_page", len(rows), 25)
    admin = has_role(request.user, GOVERNANCE_ADMIN)
    ctx = {
        "results": list(r.values()),
        "r": r,
        "source_options": source_options(),
        "is_admin": admin,
        "profiles": r["profiles"].body if r["profiles"].ok else {},
        "kpis": kpis(state, r["effective"].body if r["effective"].ok else {}),
        "standards": standards_coverage(state, r["dq_effective"]),
        "effective_rows": rows[page["slice"]],
        "effective_pager": page,
        "history": r["history"].body.get("items") or [] if r["history"].ok else [],
        "register": r["register"].body if r["register"].ok else {},
        "queue": r["queue"].body if r["queue"].ok else {},
        "dq_standards": r["dq_standards"].body if r["dq_standards"].ok else {},
        "dq_rows": by_source_items(r["dq_effective"].body) if r["dq_effective"].ok else [],
        "audit_actions": [c for c in _choices(state, "policy_audit_action")],
        "exception_statuses": _choices(state, "policy_register"),
        "exception_states": _choices(state, "policy_exception_state"),
    }
    if admin:
        forms = {"assign": AssignForm, "remove": RemoveForm, "review": ReviewForm}
        initial = {"source": source if source != "both" else (source_options()[0]["value"])}
        ctx["forms"] = {
            name: (bound or {}).get(name) or cls(initial=initial, prefix_id=name)
            for name, cls in forms.items()
        }
    return ctx


def _choices(state: PageState, name: str) -> tuple:
    return next(p.allowed() for p in state.params() if p.name == name)


def has_exception(row: dict) -> bool:
    """The pipeline's assignment carries an exception (proposed, approved, rejected or expired)."""
    status = row.get("exception_status")
    if status is not None:
        return status != "none"
    return row.get("exception_state") in ("approved", "expired", "rejected")


def _since(days: str) -> str:
    """The audit history's lower bound for `policy_days` (empty: all of it)."""
    if not days:
        return ""
    return (timezone.now() - timedelta(days=int(days))).replace(microsecond=0).isoformat()


def _row_links(row: dict) -> dict:
    src, pid = row.get("source"), row.get("pipeline_id")
    return {
        "overview": goto("overview", ov_source=src, pipeline_id=pid),
        "governance": goto("governance", gov_source=src, gov_drilldown="sla_pressure", pipeline_id=pid),
        "triage": goto("triage", tri_source=src, pipeline_id=pid),
    }


def post(request, state: PageState, api: Gateway):
    """Validate the posted form and write through the aggregate route; redirect back on success,
    otherwise show the page again with the form's errors (or the API's)."""
    action = request.POST.get("action", "")
    if not has_role(request.user, GOVERNANCE_ADMIN):
        messages.error(request, "Changing policies needs the governance_admin role; nothing was changed.")
        return HttpResponseRedirect(state.url()), None
    if action not in FORMS:
        messages.error(request, "Unknown policy action.")
        return HttpResponseRedirect(state.url()), None
    form_class, path = FORMS[action]
    form = form_class(request.POST, prefix_id=action)
    if not form.is_valid():
        return None, {action: form}
    source = form.cleaned_data["source"]
    result = api.post(path, form.payload(), source=source)
    if result.ok:
        verb = {"assign": "Assigned", "remove": "Removed", "review": "Reviewed"}[action]
        data = form.cleaned_data
        detail = f" profile {data['profile']}" if action == "assign" else ""
        partial = " (some sources refused: see below)" if result.body.get("partial") else ""
        messages.success(
            request, f"{verb}{detail} for {data['scope']} {data['target_id']} on {source}{partial}."
        )
        return HttpResponseRedirect(state.url()), None
    form.add_error(None, f"The change was not made: {result.message}")
    return None, {action: form}
