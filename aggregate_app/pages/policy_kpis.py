"""The Policy view's KPI cards: the effective-policy summary's counts (each card that counts a
filter of the table links to it, with the same total), pipelines per effective profile, and
standards coverage from the sources' DQ evaluation."""

from .common import ratio
from .state import PageState, goto

SUMMARY_KEYS = (  # (key, label, definition)
    ("pipelines", "Pipelines", "Pipeline deployments under policy in the selected sources."),
    ("assigned", "With an assignment", "Pipelines with a profile assigned to them, their team or domain."),
    ("mismatches", "Mismatches", "Pipelines whose effective profile differs from the recommended one."),
    ("sla_pressure", "Over their breach limit",
     "Pipelines whose 7-day breach ratio is above their effective profile's allowed ratio."),
    ("unmanaged_exception_count", "Unmanaged exceptions",
     "Mismatches without an approved, unexpired exception."),
    ("approved_exception_count", "Approved exceptions",
     "Pipelines covered by an approved, unexpired exception."),
)  # fmt: skip


def standards_coverage(state: PageState, result) -> dict:
    """Pipelines meeting their DQ standards (passing, or waived by an approved exception), of all
    pipelines: the sources' own DQ evaluation (GET /api/dq/effective's summary, which the
    scorecards' dq_failures also count), added up across sources."""
    if not result.ok:
        return {"value": None, "error": result.message}
    counts = {"pipelines": 0, "failing": 0, "waived": 0}
    for answer in (result.body.get("by_source") or {}).values():
        summary = (answer or {}).get("summary") or {}
        for key in counts:
            counts[key] += summary.get(key) or 0
    meeting = counts["pipelines"] - counts["failing"]
    return {
        **counts,
        "meeting": meeting,
        "value": ratio(meeting, counts["pipelines"]),
        "failing_url": goto(
            "governance",
            gov_source=state["policy_source"],
            gov_drilldown="dq_mismatches",
            gov_team=state["policy_team"],
            pipeline_id=state["pipeline_id"],
        ),
    }


# The cards that count a filter of the table below: clicking one applies it (same total).
KPI_FILTERS = {
    "mismatches": {"policy_mismatch": "mismatch"},
    "unmanaged_exception_count": {"policy_exception_state": "unmanaged"},
    "approved_exception_count": {"policy_exception_state": "approved"},
}


def kpis(state: PageState, body: dict) -> dict:
    totals: dict = {k: 0 for k, _, _ in SUMMARY_KEYS}
    profiles: dict = {}
    for answer in (body.get("by_source") or {}).values():
        summary = (answer or {}).get("summary") or {}
        for key, _, _ in SUMMARY_KEYS:
            totals[key] += summary.get(key) or 0
        for profile, n in (summary.get("by_effective_profile") or {}).items():
            profiles[profile] = profiles.get(profile, 0) + (n or 0)
    return {
        "cards": [
            {"key": k, "label": label, "value": totals[k], "definition": text, "url": _kpi_url(state, k)}
            for k, label, text in SUMMARY_KEYS
        ],
        "by_profile": sorted(
            profiles.items(),
            key=lambda kv: (
                ("strict", "balanced", "relaxed").index(kv[0])
                if kv[0] in ("strict", "balanced", "relaxed")
                else 9
            ),
        ),
    }


def _kpi_url(state: PageState, key: str) -> str | None:
    if key not in KPI_FILTERS:
        return None
    cleared = {"policy_mismatch": None, "policy_exception_state": None, "policy_exception": None}
    changes = {**cleared, "policy_profile": None, "policy_page": None, **KPI_FILTERS[key]}
    return state.url(**changes) + "#effective-title"
