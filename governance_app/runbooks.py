"""The runbook catalog: each pipeline's runbook URL (telemetry) joined with its governance state."""

from pipelines_app.links import web_url

from .choices import RunbookState, RunbookStatus
from .models import RunbookGovernance


def runbook_status(url: str | None) -> str:
    """configured: an http(s) URL with a host; missing: empty; invalid_format: anything else."""
    if not (url or "").strip():
        return RunbookStatus.MISSING
    return RunbookStatus.CONFIGURED if web_url(url) else RunbookStatus.INVALID_FORMAT


def split_tags(tags: str | None) -> list[str]:
    return [t.strip() for t in (tags or "").split(",") if t.strip()]


def governance_by_pipeline() -> dict[str, RunbookGovernance]:
    return {g.pipeline_id: g for g in RunbookGovernance.objects.all()}


def catalog_entry(pipeline: dict, governance: RunbookGovernance | None) -> dict:
    return {
        "pipeline_id": pipeline["pipeline_id"],
        "pipeline_name": pipeline.get("pipeline_name"),
        "team": pipeline.get("team"),
        "domain": pipeline.get("domain"),
        "criticality": pipeline.get("criticality"),
        "owner": pipeline.get("owner"),
        "sla_minutes": pipeline.get("freshness_sla_minutes"),
        "runbook_url": pipeline.get("runbook_url"),
        "runbook_status": str(runbook_status(pipeline.get("runbook_url"))),
        "tags": split_tags(pipeline.get("tags")),
        "governance_state": governance.state if governance else RunbookState.NONE.value,
        "governance_owner": governance.owner if governance else "",
        "governance_notes": governance.notes if governance else "",
        "governance_updated_by": governance.updated_by if governance else "",
        "governance_updated_at": governance.updated_at if governance else None,
    }


def _matches(entry: dict, filters: dict) -> bool:
    for key in ("team", "domain", "criticality"):
        if filters.get(key) and (entry[key] or "").lower() != filters[key].lower():
            return False
    owner = (filters.get("owner") or "").lower()
    if owner and owner not in f"{entry['owner'] or ''} {entry['governance_owner']}".lower():
        return False
    search = (filters.get("search") or "").lower()
    if search:
        haystack = " ".join(
            str(entry[k] or "")
            for k in ("pipeline_id", "pipeline_name", "owner", "runbook_url", "team", "domain")
        )
        if search not in f"{haystack} {' '.join(entry['tags'])}".lower():
            return False
    return True


def coverage(entries: list[dict]) -> dict:
    counts = {s: sum(1 for e in entries if e["runbook_status"] == s) for s in RunbookStatus.values}
    total = len(entries)
    return {
        "total": total,
        **counts,
        "coverage_ratio": round(counts[RunbookStatus.CONFIGURED] / total, 4) if total else None,
    }


def catalog_entries(pipelines: list[dict]) -> list[dict]:
    """Every pipeline's catalogue entry, unfiltered."""
    governance = governance_by_pipeline()
    return [catalog_entry(p, governance.get(p["pipeline_id"])) for p in pipelines]


def catalog(pipelines: list[dict], filters: dict) -> tuple[list[dict], dict]:
    """(entries, coverage) of `pipelines` (see `select`)."""
    return select(catalog_entries(pipelines), filters)


def select(entries: list[dict], filters: dict) -> tuple[list[dict], dict]:
    """(entries, coverage) under `filters`. Coverage counts every pipeline the filters match, whether
    or not `include_missing` hides the ones without a runbook from the entries."""
    entries = [e for e in entries if _matches(e, filters)]
    summary = coverage(entries)
    if not filters.get("include_missing", True):
        entries = [e for e in entries if e["runbook_status"] != RunbookStatus.MISSING]
    return entries, summary
