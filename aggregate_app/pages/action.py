"""The operator action panel: what a triage answer (explain-run or triage query) says, its impact
included, arranged for a person on call, plus the same as plain text and Markdown for pasting
into a ticket or chat."""

import json
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from pipelines_app.links import web_url

from .. import sources
from .common import AGG
from .state import goto
from .summary_text import as_markdown, as_text

# The traceability groups, in the order a person reads them (triage_app.facts.KINDS), and the
# prefix of their fact ids (T1, R1, I1, C1).
FACT_KINDS = (("telemetry", "Telemetry", "T"), ("runbook", "Runbook", "R"), ("impact", "Impact", "I"),
              ("cost", "Cost", "C"))  # fmt: skip
PIPELINE_PATH = re.compile(r"^/api/pipelines/(?P<pid>[^/]+)(?:/(?P<what>[a-z_]+))?$")


def aggregate_href(href: str, source: str | None) -> str:
    """A source API link (/api/...) as the control tier's mirror, asking the source that answered."""
    parts = urlsplit(href or "")
    if not parts.path.startswith("/api/") or parts.path.startswith(AGG):
        return href
    query = dict(parse_qsl(parts.query))
    if source:
        query.setdefault("source", source)
    path = AGG + "/" + parts.path[len("/api/") :]
    return path + ("?" + urlencode(query) if query else "")


def human_href(href: str, source: str | None) -> str | None:
    """The ops page that shows what a traceability link's API resource holds, for a person: the
    pipeline (its latest runs) in Overview, its runbook in the Triage catalog, its cost in the
    Costs investigation; None where no page shows it (the raw JSON is then the only link)."""
    parts = urlsplit(href or "")
    path, query = parts.path, dict(parse_qsl(parts.query))
    if path.startswith(AGG + "/"):
        path = "/api/" + path[len(AGG) + 1 :]
    source = source if source in sources.names() else None
    match = PIPELINE_PATH.match(path)
    pid, what = (unquote(match["pid"]), match["what"]) if match else (query.get("search"), None)
    if not pid:
        return None
    if (match and what in (None, "runs")) or (path == "/api/pipelines" and not match):
        return goto("overview", ov_source=source, pipeline_id=pid) + "#focus-title"
    if match and what == "cost":
        return goto(
            "costs", cost_source=source, cost_investigate=pid, cost_inv_source=source, cost_mode="all"
        )
    if path == "/api/runbooks":
        return goto("triage", tri_source=source, tri_search=pid) + "#catalog-title"
    return None


def traceability(answer: dict, links: list[dict]) -> list[dict]:
    """The facts an answer rests on, grouped as telemetry, runbook, impact and cost, each group with
    the evidence links (`links`, as the panel holds them) that cite its facts."""
    trace = answer.get("traceability") or {}
    used = [f for f in answer.get("facts_used") or [] if isinstance(f, dict)]
    groups = []
    for kind, label, prefix in FACT_KINDS:
        facts = trace.get(f"{kind}_facts")
        if not isinstance(facts, list):  # an answer without the groups: its fact ids say the kind
            facts = [f for f in used if str(f.get("id") or "").startswith(prefix)]
        ids = {f.get("id") for f in facts if isinstance(f, dict)}
        cited = [link for link in links if ids & set(link.get("fact_ids") or [])]
        groups.append({"kind": kind, "label": label, "facts": facts, "links": cited})
    return groups


def _impact(answer: dict) -> dict:
    """The answer's own impact: its consumers are the ones its summary counts, from the walk that
    also counts the incident's `impacted_consumers`."""
    summary = answer.get("impact_summary") or {}
    return {
        **summary,
        "consumers": answer.get("impacted_consumers") or [],
        "degraded_reasons": summary.get("degraded_reasons") or [],
    }


def _runbook(answer: dict, incident: dict | None) -> dict | None:
    """The runbook to open: the first reference whose URL may be a link; a URL that may not
    (`javascript:`, a bare path) is shown as `invalid_format`, never as a link."""
    refs = [r for r in answer.get("runbook_references") or [] if isinstance(r, dict)]
    if incident and incident.get("runbook_url"):
        refs.append({"title": "Runbook", "url": incident["runbook_url"]})
    for ref in refs:
        if web_url(ref.get("url")):
            return {**ref, "status": "configured"}
    given = next((r for r in refs if r.get("url")), None)
    if given:
        return {**given, "url": None, "status": "invalid_format"}
    return refs[0] if refs else None


def panel(
    answer: dict,
    *,
    origin: str,
    source: str | None,
    incident: dict | None = None,
    fallback_reason: str = "",
) -> dict:
    """The panel's content. `origin` is explain_run or triage_query; `fallback_reason` says why the
    triage query stood in for explain-run."""
    evidence = answer.get("evidence") or {}
    served_by = (evidence.get("source") or {}).get("served_by") or answer.get("source") or source
    trace = answer.get("traceability") or {}
    requested, executed = answer.get("requested_mode"), answer.get("mode")
    links = [  # each with the raw JSON (`href`, the control tier's mirror) and, where one shows it, a page
        {
            **link,
            "href": aggregate_href(link.get("href", ""), served_by),
            "page": human_href(link.get("href", ""), served_by),
        }
        for link in trace.get("evidence_links") or []
        if isinstance(link, dict)
    ]
    data = {
        "origin": origin,
        "source": served_by,
        "incident": incident,
        "pipeline_id": (answer.get("run") or {}).get("pipeline_id") or (incident or {}).get("pipeline_id"),
        "run_id": (answer.get("run") or {}).get("run_id") or (incident or {}).get("run_id"),
        "summary": answer.get("summary") or "",
        "likely_cause": answer.get("likely_cause") or "",
        "confidence": answer.get("confidence"),
        "confidence_reason": answer.get("confidence_reason") or "",
        "requested_mode": requested,
        "mode": executed,
        "mode_fell_back": bool(
            requested == "assisted" and executed and not str(executed).startswith("assisted")
        ),
        "degraded": bool(answer.get("degraded")),
        "warnings": answer.get("warnings") or [],
        "fallback_reason": fallback_reason,
        "impact": _impact(answer),
        "next_actions": answer.get("next_actions") or [],
        "runbook": _runbook(answer, incident),
        "links": links,
        "traceability": traceability(answer, links),
        "uncited_links": [link for link in links if not link.get("fact_ids")],
        "evidence_cards": _evidence_cards(evidence),
        "raw_evidence": json.dumps(evidence, indent=2, sort_keys=True, default=str),
        "generated_at": answer.get("generated_at"),
    }
    data["text"] = as_text(data)
    data["markdown"] = as_markdown(data)
    return data


def _evidence_cards(evidence: dict) -> list[dict]:
    cards = []
    rule = evidence.get("rule")
    if isinstance(rule, dict):
        cards.append({"title": "Matched rule", "items": [(k, rule[k]) for k in rule]})
    if evidence.get("matched_on"):
        cards.append(
            {"title": "Matched on", "items": [("fields", ", ".join(map(str, evidence["matched_on"])))]}
        )
    signal = evidence.get("signal")
    if isinstance(signal, dict):
        cards.append(
            {
                "title": "Signal",
                "items": list(signal.items()),
            }
        )
    if evidence.get("missing_facts") is not None:
        missing = evidence.get("missing_facts") or []
        cards.append({"title": "Missing facts", "items": [("facts", ", ".join(map(str, missing)) or "none")]})
    if evidence.get("engine") or evidence.get("context_days"):
        cards.append(
            {
                "title": "Engine",
                "items": [("engine", evidence.get("engine")), ("context days", evidence.get("context_days"))],
            }
        )
    return cards
