"""The deterministic answer in the triage contract's shape (DESIGN.md, "Triage query contract").

Each statement of the answer is listed in `evidence.statements` with the fact ids it rests on.
Top-level `degraded` means facts that should have been read could not be (a failed read, or a
failed assisted call that fell back); `impact_summary.degraded` means the impact is known to be
incomplete (including `not_computed`: no pipeline was given, or its impact could not be read), and
`impact_summary.truncated` that the impact walk stopped at its depth or node cap with lineage left
unwalked. The impacted consumers are those of the pipeline's impact view at its default depth:
the same walk that counts an incident's `impacted_consumers`."""

from django.conf import settings
from django.utils import timezone

from pipelines_app.impact import DEFAULT_DEPTH, DEPTH, IMPACT_MODEL, MAX_NODES, NODE_CAP

from .choices import DETERMINISTIC_ENGINE
from .confidence import score
from .context import CRITICAL, Context
from .reads import iso
from .rules import Match

CODE_IDS = ("error.code", "error.message")
IMPACT_SUMMARY = (
    "nodes_count",
    "edges_count",
    "degraded",
    "degraded_reasons",
    "impact_model",
    "depth",
    "max_nodes",
    "truncated",
    "truncated_reason",
)


def _impact_summary(ctx: Context) -> dict:
    """The impact walk's shape and completeness; without one, the walk's limits and why not."""
    imp = ctx.impact
    if imp is None:
        return {
            "nodes_count": 0,
            "edges_count": 0,
            "degraded": True,
            "degraded_reasons": ["not_computed"],
            "impact_model": IMPACT_MODEL if ctx.pipeline else "none",
            "depth": DEFAULT_DEPTH,
            "max_nodes": MAX_NODES,
            "truncated": False,
            "truncated_reason": None,
        }
    return {k: imp[k] for k in IMPACT_SUMMARY}


def _truncation(imp: dict) -> str:
    """Why the consumer count may be low, said in the sentence that gives it."""
    if imp["truncated_reason"] == DEPTH:
        return f" (lineage walked {imp['depth']} edges deep and goes further: there may be more)"
    if imp["truncated_reason"] == NODE_CAP:
        return f" (lineage walk stopped at its cap of {imp['max_nodes']} nodes: there may be more)"
    return ""


def _summary(ctx: Context, match: Match) -> tuple[str, list[str]]:
    f, run, p = ctx.facts, ctx.run, ctx.pipeline or {}
    name = p.get("pipeline_name") or ctx.pipeline_id
    code = ctx.signal.error_code or next(iter(ctx.signal.codes), "")
    if run:
        head = f"Run {run['run_id']} of {name}"
        head += f" ({p['criticality']})" if p.get("criticality") else ""
        head += f" is {run['status']}" + (f" with {code}" if code else "")
    elif p:
        head = f"Pipeline {name}" + (f" error {code}" if code else " error")
    else:
        head = f"From the error text alone ({code})" if code else "From the error text alone"
    text = f"{head}. Likely cause ({match.category}): {match.likely_cause}"
    ids = f.ids("run.run_id", "run.status", "pipeline.pipeline_name", "pipeline.criticality", *CODE_IDS)
    if ctx.impact is not None:
        consumers = ctx.impact["impacted_consumers"]
        critical = sum(1 for c in consumers if c.get("criticality") in CRITICAL)
        text += f" {len(consumers)} downstream consumer(s) affected, {critical} critical or high"
        text += _truncation(ctx.impact) + "."
        ids += f.ids(
            "impact.impacted_consumers_count", "impact.critical_consumers", "impact.truncated_reason"
        )
    return text, ids


def _runbook_references(ctx: Context, match: Match) -> list[dict]:
    if not ctx.runbook:
        return []
    rb, p = ctx.runbook, ctx.pipeline
    return [
        {
            "pipeline_id": p["pipeline_id"],
            "title": f"{p.get('pipeline_name') or p['pipeline_id']} runbook",
            "url": rb["url"],
            "status": rb["status"],
            "governance_state": rb["governance_state"],
            "owner": rb["governance_owner"] or p.get("owner") or "",
            "sections": match.runbook_hints,
        }
    ]


def _statements(ctx: Context, match: Match, summary: tuple[str, list[str]]) -> list[dict]:
    f = ctx.facts
    cause_ids = f.ids(*CODE_IDS) if match.rule else f.ids("run.status", *CODE_IDS)
    rows = [
        {"field": "summary", "text": summary[0], "fact_ids": summary[1]},
        {"field": "likely_cause", "text": match.likely_cause, "fact_ids": cause_ids},
        *({"field": "next_actions", "text": a, "fact_ids": cause_ids} for a in match.next_actions),
    ]
    if ctx.impact is not None:
        ids = f.ids("impact.nodes_count", "impact.edges_count", "impact.impacted_consumers_count")
        rows.append(
            {"field": "impacted_consumers", "text": "Downstream consumers from lineage.", "fact_ids": ids}
        )
    if ctx.runbook:
        ids = f.ids("runbook.url", "runbook.status", "runbook.governance_state")
        rows.append({"field": "runbook_references", "text": "Runbook of the pipeline.", "fact_ids": ids})
    return [{**row, "origin": "rules"} for row in rows]


def _legacy_hints(match: Match) -> list[str]:
    return [
        f"{match.category}: {match.likely_cause}",
        *match.next_actions,
        *(f"Runbook: {h}" for h in match.runbook_hints),
    ]


def _evidence(ctx: Context, match: Match, statements: list[dict]) -> dict:
    rule = match.rule
    return {
        "engine": DETERMINISTIC_ENGINE,
        "rule": None
        if rule is None
        else {
            "name": rule.name,
            "order": rule.order,
            "category": rule.category,
            "base_confidence": rule.base_confidence,
        },
        "matched_on": match.matched_on,
        "signal": {
            "error_codes": list(ctx.signal.codes),
            "systems": sorted(ctx.signal.systems),
            "platform": ctx.signal.platform,
        },
        "source": {"requested": ctx.request.source or None, "served_by": settings.CT_SOURCE_NAME},
        "context_days": ctx.request.context_days,
        "missing_facts": ctx.missing,
        "statements": statements,
    }


def build(ctx: Context, match: Match) -> dict:
    confidence, reason = score(match, ctx.missing)
    summary = _summary(ctx, match)
    statements = _statements(ctx, match, summary)
    return {
        "summary": summary[0],
        "likely_cause": match.likely_cause,
        "impacted_consumers": (ctx.impact or {}).get("impacted_consumers", []),
        "impact_summary": _impact_summary(ctx),
        "next_actions": list(match.next_actions),
        "runbook_references": _runbook_references(ctx, match),
        "degraded": bool(set(ctx.missing) - {"run"}),
        "warnings": list(ctx.warnings),
        "confidence": confidence,
        "confidence_reason": reason,
        "mode": DETERMINISTIC_ENGINE,
        "requested_mode": ctx.request.mode,
        "facts_used": ctx.facts.used(),
        "traceability": ctx.facts.traceability(),
        "evidence": _evidence(ctx, match, statements),
        "generated_at": iso(timezone.now()),
        "triage_hints": _legacy_hints(match),
    }
