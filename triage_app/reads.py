"""What triage reads from telemetry and governance: pipelines_app's public functions for runs,
pipelines, impact and costs; governance_app for runbook status. Missing things become 404s that
name the request field."""

from datetime import UTC, datetime, timedelta

from controltower.api.errors import ApiError
from governance_app.models import RunbookGovernance
from governance_app.runbooks import runbook_status
from pipelines_app import costs, impact, pipelines, run_detail, runs
from pipelines_app.queries import now_naive


def iso(value):
    """Warehouse timestamps (naive UTC) as ISO 8601 UTC text; other values unchanged."""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat().replace("+00:00", "Z")
    return value


def run(run_id: str) -> dict:
    row = runs.get_run(run_id)
    if row is None:
        raise ApiError(
            404,
            "not_found",
            f"run_id: no run {run_id[:200]!r} in this source.",
            {"parameter": "run_id", "run_id": run_id},
        )
    return row


def run_reports(run_id: str) -> tuple[list[dict], list[dict]]:
    """(the errors the run's OpenLineage events reported, its failed data-quality assertions)."""
    return run_detail.reported_errors(run_id), run_detail.failed_assertions(run_id)


def pipeline(pipeline_id: str) -> dict:
    try:
        return pipelines.require_pipeline(pipeline_id)
    except pipelines.PipelineNotFound as exc:
        raise ApiError(
            404,
            "not_found",
            f"pipeline_id: no pipeline {pipeline_id[:200]!r} in this source.",
            {"parameter": "pipeline_id", "pipeline_id": pipeline_id},
        ) from exc


def history(pipeline_id: str, days: int, error_code: str | None) -> dict:
    now = now_naive()
    h = runs.run_history(pipeline_id, since=now - timedelta(days=days), until=now, error_code=error_code)
    return {**h, "last_success_end_ts": iso(h["last_success_end_ts"])}


def pipeline_impact(pipeline_id: str) -> dict:
    return impact.pipeline_impact(pipeline_id)


def pipeline_cost(pipeline_id: str, days: int) -> dict:
    return costs.pipeline_cost(pipeline_id, days=days)


def run_cost(run_id: str) -> dict | None:
    return costs.run_cost(run_id)


def runbook(pipeline_row: dict) -> dict:
    url = (pipeline_row.get("runbook_url") or "").strip()
    gov = RunbookGovernance.objects.filter(pipeline_id=pipeline_row["pipeline_id"]).first()
    return {
        "url": url or None,
        "status": str(runbook_status(url)),
        "governance_state": gov.state if gov else "none",
        "governance_owner": gov.owner if gov else "",
    }
