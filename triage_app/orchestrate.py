"""Triage orchestration: collect facts, run the rules, optionally ask the assisted provider."""

from . import answer, assisted, rules
from .choices import TriageMode
from .context import Context, TriageRequest, collect


def run_triage(req: TriageRequest) -> tuple[Context, dict]:
    """(the facts' context, the contract's answer); 404 for an unknown run or pipeline."""
    ctx = collect(req)
    match = rules.evaluate(ctx.signal, (ctx.run or {}).get("status"))
    result = answer.build(ctx, match)
    if req.mode == TriageMode.ASSISTED:
        result = assisted.enrich(result, ctx)
    return ctx, result


def triage(req: TriageRequest) -> dict:
    return run_triage(req)[1]
