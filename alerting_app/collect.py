"""What the sources and the control tier's own jobs report, as occurrences for evaluation:
pipelines whose latest run failed, SLA breaches, stale datasets (each source's API), cost
anomalies and smoke failures (the control tier's records). Lineage for grouping comes from each
source's /api/pipelines/{id}/impact. A source that did not answer in full clears nothing."""

from datetime import datetime
from urllib.parse import quote

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aggregate_app import client, sources
from aggregate_app.models import CostAnomalyRecord, SmokeRun

from .actions import Occurrence
from .choices import Kind
from .evaluation import Pass

MAX_ITEMS = 2000
SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info"}


def _when(raw, default: datetime) -> datetime:
    return (parse_datetime(raw) if isinstance(raw, str) else None) or default


def _items(outcome) -> list | None:
    data = outcome.data if outcome.ok and isinstance(outcome.data, dict) else None
    return data["items"] if data and isinstance(data.get("items"), list) else None


def _common(item: dict) -> dict:
    return {k: item.get(k) or "" for k in ("team", "domain", "criticality")}


def failed_run(source: str, item: dict, now: datetime) -> Occurrence:
    pid = str(item["pipeline_id"])
    return Occurrence(
        kind=Kind.FAILED_RUN,
        source=source,
        subject=pid,
        pipeline_id=pid,
        observed_at=_when(item.get("last_end_ts") or item.get("last_start_ts"), now),
        title=f"{item.get('pipeline_name') or pid} failed in {source}",
        occurrence=str(item.get("last_run_id") or ""),
        detail=f"The latest run {item.get('last_run_id') or ''} of {pid} failed.",
        severity=SEVERITY.get(item.get("criticality") or "", "error"),
        **_common(item),
    )


def sla_breach(source: str, item: dict, now: datetime) -> Occurrence:
    pid = str(item["pipeline_id"])
    reasons = ", ".join(item.get("reasons") or []) or "breached"
    return Occurrence(
        kind=Kind.SLA_BREACH,
        source=source,
        subject=pid,
        pipeline_id=pid,
        observed_at=_when(item.get("freshness_breach_ts") or item.get("last_breached_run_ts"), now),
        title=f"{item.get('pipeline_name') or pid} breaches its SLA in {source}",
        detail=f"SLA: {reasons}.",
        occurrence=str(item.get("last_breached_run_ts") or item.get("freshness_breach_ts") or ""),
        severity=SEVERITY.get(item.get("criticality") or "", "warning"),
        **_common(item),
    )


def stale_dataset(source: str, item: dict, now: datetime) -> Occurrence:
    overdue = item.get("overdue_minutes")
    return Occurrence(
        kind=Kind.STALE_DATASET,
        source=source,
        subject=str(item["dataset_id"]),
        dataset=str(item["dataset_id"]),
        observed_at=now,
        title=f"{item.get('name') or item['dataset_id']} is stale in {source}",
        detail=f"Past its freshness SLA by {overdue} minutes." if overdue is not None else "Never updated.",
        severity="warning",
        **_common(item),
    )


CALLS = {
    Kind.FAILED_RUN: (
        client.Call(path="/api/pipelines", params={"status": "FAILED"}, window=(0, MAX_ITEMS)),
        failed_run,
    ),
    Kind.SLA_BREACH: (
        client.Call(path="/api/sla/pipelines", params={"status": "breached"}, window=(0, MAX_ITEMS)),
        sla_breach,
    ),
    Kind.STALE_DATASET: (client.Call(path="/api/datasets/stale", window=(0, MAX_ITEMS)), stale_dataset),
}


def from_sources(now: datetime) -> Pass:
    seen = Pass([])
    configured = sources.configured()
    for kind, (call, build) in CALLS.items():
        for name, outcome in client.fetch(configured, call).items():
            items = _items(outcome)
            if items is None:
                continue
            seen.seen.extend(build(name, item, now) for item in items if isinstance(item, dict))
            seen.complete.add((name, kind))
    return seen


def from_records(now: datetime) -> Pass:
    """Cost anomalies and smoke failures the control tier's own jobs keep."""
    seen = Pass([], {(s, Kind.COST_ANOMALY) for s in sources.names()} | {("control", Kind.SMOKE_FAILURE)})
    for rec in CostAnomalyRecord.objects.exclude(status=CostAnomalyRecord.Status.RESOLVED):
        seen.seen.append(
            Occurrence(
                kind=Kind.COST_ANOMALY,
                source=rec.source,
                subject=rec.pipeline_id,
                pipeline_id=rec.pipeline_id,
                observed_at=rec.last_seen_at,
                title=f"{rec.pipeline_name or rec.pipeline_id} costs out of band in {rec.source}",
                detail=f"{rec.latest_cost_aud} AUD against a median of {rec.baseline_median_aud} AUD.",
                occurrence=str(rec.usage_date),
                team=rec.team,
                domain=rec.domain,
                severity="warning",
            )
        )
    latest: dict[tuple[str, str], SmokeRun] = {}
    for run in SmokeRun.objects.order_by("-started_at", "-pk")[:200]:
        latest.setdefault((run.contract, run.target_name), run)
    for (contract, target), run in latest.items():
        if run.status == SmokeRun.Status.FAIL:
            seen.seen.append(
                Occurrence(
                    kind=Kind.SMOKE_FAILURE,
                    source="control",
                    subject=f"{contract}:{target}",
                    observed_at=run.finished_at,
                    title=f"{contract.upper()} smoke fails on {target}",
                    occurrence=str(run.pk),
                    severity="error",
                    detail=f"{run.checks_failed} of {run.checks_total} checks failed.",
                )
            )
    return seen


def downstream(source: str, pipeline_id: str) -> set[str]:
    """The pipeline ids and dataset ids and names its impact walk reaches in `source`."""
    chosen = [s for s in sources.configured() if s.name == source]
    outcome = client.fetch(
        chosen, client.Call(path=f"/api/pipelines/{quote(pipeline_id, safe='')}/impact")
    ).get(source)
    body = outcome.data if outcome is not None and outcome.ok and isinstance(outcome.data, dict) else {}
    nodes = [n for n in body.get("nodes") or [] if isinstance(n, dict)]
    return {str(n[k]) for n in nodes for k in ("id", "name") if n.get(k)} - {pipeline_id}


def observe(now: datetime | None = None) -> Pass:
    now = now or timezone.now()
    a, b = from_sources(now), from_records(now)
    return Pass(a.seen + b.seen, a.complete | b.complete)
