"""Explain one run: the incident action panel (likely cause, impact, next actions, runbook link).

The body is the deterministic triage answer plus the run itself and the runbook URL, so the
panel and the triage query never disagree."""

from .context import TriageRequest
from .orchestrate import run_triage
from .reads import iso

RUN_FIELDS = (
    "run_id",
    "pipeline_id",
    "status",
    "start_ts",
    "end_ts",
    "duration_seconds",
    "error_code",
    "error_message",
)


def explain_run(run_id: str, *, context_days: int = 7) -> dict:
    ctx, result = run_triage(TriageRequest(run_id=run_id, context_days=context_days))
    refs = result["runbook_references"]
    return {
        "run": {k: iso(ctx.run.get(k)) for k in RUN_FIELDS},
        "runbook_url": refs[0]["url"] if refs else None,
        **result,
    }
