"""DQ standards: resolution over a baseline, and per-pipeline pass/fail with live evidence.

Baseline (applies where no standard sets a value): runbook_required = true,
max_breach_ratio = 0.10, max_failures_7d = 3. Standards assigned to a pipeline, a team or a
domain override it value by value, the most specific first (pipeline > team > domain > baseline).

Checks: `runbook_required` passes when the pipeline has a well-formed runbook URL; runbook
governance `waived` (which an operator may set) is shown but changes no verdict: only a DQ
exception, proposed and approved by two governance admins, waives a failing standard;
`max_failures_7d` compares failed runs in the last 7 days;
`max_breach_ratio` compares the share of completed runs that breached (see telemetry).
A failing check under an approved, unexpired DQ exception (the most specific one that applies)
reads `waived`; an expired one no longer waives anything."""

from datetime import datetime

from .choices import ExceptionStatus, RunbookStatus
from .models import DQStandard, PolicyAssignment
from .policies import breach_ratio_for, recommended_profile
from .resolution import ActiveAssignments
from .runbooks import governance_by_pipeline, runbook_status

BASELINE = {"runbook_required": True, "max_breach_ratio": 0.10, "max_failures_7d": 3}
STANDARDS = tuple(BASELINE)


def resolve_standards(chain: list[DQStandard]) -> tuple[dict, dict]:
    """(values, sources): each standard from the most specific row that sets it, else the baseline."""
    if not chain:  # most pipelines: nothing assigned
        return dict(BASELINE), dict.fromkeys(STANDARDS, "baseline")
    values, sources = {}, {}
    for name in STANDARDS:
        row = next((r for r in chain if getattr(r, name) is not None), None)
        values[name] = getattr(row, name) if row else BASELINE[name]
        sources[name] = f"{row.scope}:{row.target_id}" if row else "baseline"
    return values, sources


def _checks(
    values: dict, pipeline: dict, evidence: dict | None, runbook_state: str, breach_ratio
) -> list[dict]:
    status = runbook_status(pipeline.get("runbook_url"))
    failures = (evidence or {}).get("failures", 0)
    checks = [
        {
            "standard": "runbook_required",
            "threshold": values["runbook_required"],
            "actual": str(status),
            "runbook_governance_state": runbook_state,
            "passed": (not values["runbook_required"]) or status == RunbookStatus.CONFIGURED,
        },
        {
            "standard": "max_failures_7d",
            "threshold": values["max_failures_7d"],
            "actual": failures,
            "passed": failures <= values["max_failures_7d"],
        },
        {
            "standard": "max_breach_ratio",
            "threshold": values["max_breach_ratio"],
            "actual": breach_ratio,
            "passed": breach_ratio is None or breach_ratio <= values["max_breach_ratio"],
        },
    ]
    return checks


def _suggestion(check: dict, pipeline_id: str) -> str:
    if check["standard"] == "runbook_required":
        return (
            f"Add a runbook URL for {pipeline_id} (PIPELINES.runbook_url is {check['actual']}) "
            "or propose a DQ exception for a second governance admin to approve."
        )
    if check["standard"] == "max_failures_7d":
        return (
            f"{check['actual']} failed runs in 7 days exceed {check['threshold']}: triage the latest "
            "failure and fix the recurring cause."
        )
    return (
        f"Breach ratio {check['actual']:.0%} exceeds {check['threshold']:.0%}: review run durations "
        "against the SLA profile, or propose a DQ exception with an expiry."
    )


def action_links(pipeline_id: str) -> dict:
    return {
        "overview": f"/?view=overview&pipeline_id={pipeline_id}",
        "governance": f"/?view=governance&pipeline_id={pipeline_id}",
        "triage": f"/?view=triage&pipeline_id={pipeline_id}",
        "incidents": f"/?view=incidents&pipeline_id={pipeline_id}",
    }


class DQContext:
    """What evaluation needs, loaded once: active standards, policy assignments, runbook governance."""

    def __init__(self, now: datetime):
        self.now = now
        self.standards = ActiveAssignments(DQStandard)
        self.policies = ActiveAssignments(PolicyAssignment)
        self.runbooks = governance_by_pipeline()


def evaluate(pipeline: dict, evidence: dict | None, ctx: DQContext) -> dict:
    pid = pipeline["pipeline_id"]
    chain = ctx.standards.chain(pipeline)
    values, sources = resolve_standards(chain)
    policy = ctx.policies.resolve(pipeline)
    breach_ratio = breach_ratio_for(evidence)
    governance = ctx.runbooks.get(pid)
    checks = _checks(values, pipeline, evidence, governance.state if governance else "none", breach_ratio)
    exception = next((r for r in chain if r.is_exception), None) if chain else None
    live = exception.live_exception_status(ctx.now) if exception else ExceptionStatus.NONE
    for check in checks:
        check["status"] = (
            "pass" if check["passed"] else ("waived" if live == ExceptionStatus.APPROVED else "fail")
        )
    failing = [c["standard"] for c in checks if c["status"] == "fail"]
    return {
        "pipeline_id": pid,
        "pipeline_name": pipeline.get("pipeline_name"),
        "team": pipeline.get("team"),
        "domain": pipeline.get("domain"),
        "criticality": pipeline.get("criticality"),
        "effective_profile": policy.profile
        if policy
        else str(recommended_profile(pipeline.get("criticality"))),
        "standards": values,
        "standard_sources": sources,
        "checks": checks,
        "status": "fail"
        if failing
        else ("waived" if any(c["status"] == "waived" for c in checks) else "pass"),
        "failing_standards": failing,
        "exception_scope": f"{exception.scope}:{exception.target_id}" if exception else None,
        "exception_status": str(live),
        "exception_expires_at": exception.exception_expires_at if exception else None,
        "evidence": {
            "runs_7d": (evidence or {}).get("runs", 0),
            "failures_7d": (evidence or {}).get("failures", 0),
            "breach_ratio_7d": breach_ratio,
            "runbook_governance_state": governance.state if governance else "none",
        },
        "remediation_suggestions": [_suggestion(c, pid) for c in checks if c["status"] == "fail"],
        "action_links": action_links(pid),
    }


def evaluate_all(pipelines: list[dict], evidence: dict[str, dict], now: datetime) -> list[dict]:
    ctx = DQContext(now)
    return [evaluate(p, evidence.get(p["pipeline_id"]), ctx) for p in pipelines]


def dq_summary(items: list[dict]) -> dict:
    failing = [i for i in items if i["status"] == "fail"]

    def count_by(key: str) -> dict:
        out: dict[str, int] = {}
        for item in failing:
            out[item[key] or "unknown"] = out.get(item[key] or "unknown", 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "pipelines": len(items),
        "passing": sum(1 for i in items if i["status"] == "pass"),
        "failing": len(failing),
        "waived": sum(1 for i in items if i["status"] == "waived"),
        "failing_by_team": count_by("team"),
        "failing_by_domain": count_by("domain"),
        "failing_by_profile": count_by("effective_profile"),
        "failing_standards_counts": {
            s: sum(1 for i in failing if s in i["failing_standards"]) for s in STANDARDS
        },
    }
