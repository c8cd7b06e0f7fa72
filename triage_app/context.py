"""Collect what a triage answer needs — the run, its pipeline, history, impact, runbook, cost — as
facts. The run and the pipeline are required when named (404 otherwise); the rest degrades: a read
that fails becomes a warning and a missing fact group, never a 500."""

from dataclasses import dataclass, field
from urllib.parse import quote

from controltower.api.errors import ApiError

from . import reads
from .facts import Facts
from .rules import Signal, build_signal

CRITICAL = ("critical", "high")


@dataclass
class TriageRequest:
    source: str = ""
    pipeline_id: str = ""
    run_id: str = ""
    context_days: int = 7
    mode: str = "deterministic"
    user_prompt: str = ""
    error_message: str = ""
    error_code: str = ""


@dataclass
class Context:
    request: TriageRequest
    facts: Facts = field(default_factory=Facts)
    run: dict | None = None
    pipeline: dict | None = None
    impact: dict | None = None
    runbook: dict | None = None
    signal: Signal = field(default_factory=Signal)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # fact groups that could not be read

    @property
    def pipeline_id(self) -> str:
        return (self.pipeline or {}).get("pipeline_id") or (self.run or {}).get("pipeline_id") or ""

    def degrade(self, group: str, exc: ApiError) -> None:
        self.missing.append(group)
        self.warnings.append(f"{group} unavailable: {exc.message}")


def _p(pid: str) -> str:
    return f"/api/pipelines/{quote(pid, safe='')}"


def _run_and_pipeline(ctx: Context) -> None:
    req = ctx.request
    if req.run_id:
        ctx.run = reads.run(req.run_id)
        if req.pipeline_id and req.pipeline_id != ctx.run["pipeline_id"]:
            raise ApiError(
                400,
                "invalid_parameter",
                f"pipeline_id: run {req.run_id!r} belongs to pipeline {ctx.run['pipeline_id']!r}, "
                f"not {req.pipeline_id!r}.",
                {"parameter": "pipeline_id", "run_pipeline_id": ctx.run["pipeline_id"]},
            )
    if req.pipeline_id:
        ctx.pipeline = reads.pipeline(req.pipeline_id)
    elif ctx.run:
        try:
            ctx.pipeline = reads.pipeline(ctx.run["pipeline_id"])
        except ApiError as exc:
            ctx.degrade("pipeline", exc)


def _run_facts(ctx: Context) -> None:
    f, run, req = ctx.facts, ctx.run, ctx.request
    ids = []
    if run:
        fields = ("run_id", "status", "start_ts", "end_ts", "duration_seconds", "rows_processed", "attempt")
        ids = f.add_many(
            "telemetry", "telemetry:PIPELINE_RUNS", {f"run.{k}": reads.iso(run.get(k)) for k in fields}
        )
    reported = _reported_facts(ctx, ids) if run else None
    code = req.error_code or (run or {}).get("error_code") or ""
    message = req.error_message or (run or {}).get("error_message") or (reported or {}).get("message") or ""
    for name, value, given in (
        ("error.code", code, req.error_code),
        ("error.message", message, req.error_message),
    ):
        if value:
            ids.append(
                f.add("telemetry", name, value[:2000], "request" if given else "telemetry:PIPELINE_RUNS")
            )
    if run:
        f.link("pipeline_runs", f"{_p(run['pipeline_id'])}/runs", ids)
    ctx.signal = build_signal(code, message, (ctx.pipeline or {}).get("platform"))


def _reported_facts(ctx: Context, ids: list[str]) -> dict | None:
    """Facts from the errors the run's events reported (errorMessage with its stack trace and
    language, Spark's exception facets, dbt's extractionError) and its failed data-quality
    assertions; the first error, which gives the message when the run row has none."""
    f = ctx.facts
    try:
        errors, failed = reads.run_reports(ctx.run["run_id"])
    except ApiError as exc:
        ctx.degrade("reported_errors", exc)
        return None
    for i, e in enumerate(errors[:5]):
        values = {
            f"error.reported[{i}].facet": e["facet"],
            f"error.reported[{i}].message": e["message"][:2000],
            f"error.reported[{i}].language": e["language"],
            f"error.reported[{i}].task": e["task"],
            f"error.reported[{i}].stack_trace": (e["stack_trace"] or "")[:2000] or None,
        }
        ids += f.add_many("telemetry", "telemetry:RUN_ERRORS", values)
    for i, a in enumerate(failed[:10]):
        where = f"{a['dataset_name']}.{a['column']}" if a["column"] else a["dataset_name"]
        ids.append(
            f.add(
                "telemetry",
                f"dq.failed_assertion[{i}]",
                f"{a['assertion']} on {where}",
                "telemetry:RUN_ASSERTIONS",
            )
        )
    if errors:
        return errors[0]
    if failed:  # a completed run whose data-quality checks failed: that is what triage explains
        first = failed[0]
        where = f"{first['dataset_name']}.{first['column']}" if first["column"] else first["dataset_name"]
        return {"message": f"data-quality assertion {first['assertion']} failed on {where}"}
    return None


def _pipeline_facts(ctx: Context) -> None:
    p = ctx.pipeline
    if not p:
        return
    values = {
        f"pipeline.{k}": p.get(k)
        for k in ("pipeline_id", "pipeline_name", "team", "owner", "criticality", "platform")
    }
    ids = ctx.facts.add_many("telemetry", "telemetry:PIPELINES", values)
    ctx.facts.link("pipeline", f"/api/pipelines?search={quote(p['pipeline_id'])}", ids)
    days = ctx.request.context_days
    try:
        h = reads.history(p["pipeline_id"], days, ctx.signal.error_code)
    except ApiError as exc:
        ctx.degrade("history", exc)
    else:
        values = {
            f"history.runs_{days}d": h["runs"],
            f"history.failures_{days}d": h["failures"],
            f"history.same_error_code_failures_{days}d": h["same_error_code"],
            "history.last_success_end_ts": h["last_success_end_ts"],
        }
        ids = ctx.facts.add_many("telemetry", "telemetry:PIPELINE_RUNS", values)
        ctx.facts.link("run_history", f"{_p(p['pipeline_id'])}/runs", ids)


def _impact_facts(ctx: Context) -> None:
    if not ctx.pipeline:
        return
    try:
        ctx.impact = reads.pipeline_impact(ctx.pipeline["pipeline_id"])
    except ApiError as exc:
        return ctx.degrade("impact", exc)
    imp = ctx.impact
    consumers = imp["impacted_consumers"]
    values = {
        "impact.nodes_count": imp["nodes_count"],
        "impact.edges_count": imp["edges_count"],
        "impact.impacted_consumers_count": len(consumers),
        "impact.critical_consumers": [c["name"] for c in consumers if c.get("criticality") in CRITICAL],
        "impact.degraded": imp["degraded"],
        "impact.degraded_reasons": imp.get("degraded_reasons") or None,
        "impact.truncated_reason": imp["truncated_reason"],  # only when the walk stopped short
        "impact.impact_model": imp["impact_model"],
    }
    ids = ctx.facts.add_many("impact", "telemetry:LINEAGE_EDGES", values)
    ctx.facts.link("impact", f"{_p(ctx.pipeline['pipeline_id'])}/impact", ids)


def _runbook_facts(ctx: Context) -> None:
    if not ctx.pipeline:
        return
    ctx.runbook = rb = reads.runbook(ctx.pipeline)
    ids = [
        *ctx.facts.add_many(
            "runbook",
            "telemetry:PIPELINES.runbook_url",
            {"runbook.url": rb["url"], "runbook.status": rb["status"]},
        ),
        ctx.facts.add(
            "runbook", "runbook.governance_state", rb["governance_state"], "governance:RunbookGovernance"
        ),
    ]
    if rb["governance_owner"]:
        ids.append(
            ctx.facts.add(
                "runbook", "runbook.governance_owner", rb["governance_owner"], "governance:RunbookGovernance"
            )
        )
    ctx.facts.link("runbooks", f"/api/runbooks?search={quote(ctx.pipeline['pipeline_id'])}", ids)


def _cost_facts(ctx: Context) -> None:
    if not ctx.pipeline:
        return
    days, pid = ctx.request.context_days, ctx.pipeline["pipeline_id"]
    try:
        cost = reads.pipeline_cost(pid, days)
        run_cost = reads.run_cost(ctx.run["run_id"]) if ctx.run else None
    except ApiError as exc:
        return ctx.degrade("cost", exc)
    values = {
        "cost.run_cost_aud": (run_cost or {}).get("cost_aud"),
        "cost.run_credits_used": (run_cost or {}).get("credits_used"),
        f"cost.total_{days}d_aud": cost["total_aud"],
        f"cost.daily_avg_{days}d_aud": cost["daily_avg_aud"],
        "cost.cost_24h_aud": cost["cost_24h_aud"],
    }
    ids = ctx.facts.add_many("cost", "telemetry:RUN_COSTS", values)
    ctx.facts.link("cost", f"{_p(pid)}/cost?days={days}", ids)


def collect(req: TriageRequest) -> Context:
    ctx = Context(request=req)
    _run_and_pipeline(ctx)
    _run_facts(ctx)
    _pipeline_facts(ctx)
    _impact_facts(ctx)
    _runbook_facts(ctx)
    _cost_facts(ctx)
    if not ctx.pipeline and not ctx.run:
        ctx.missing.append("run")
        ctx.warnings.append(
            "No run or pipeline given: the answer rests on the error text alone (no impact, runbook or cost)."
        )
    return ctx
