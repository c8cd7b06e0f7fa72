"""The overview numbers for one source (GET /api/summary).

- runs_24h / failures_24h: runs started in the last 24 h / of them FAILED; running: runs RUNNING now.
- sla_breaches: active pipelines whose SLA status is `breached` over the default 7-day window.
- stale_datasets: the total of GET /api/datasets/stale (datasets.py).
- top_impacted_downstream_assets: consumer assets (dashboards, reports, ML models) reached in
  lineage (up to impact.MAX_DEPTH) from the most currently failing pipelines — active pipelines
  whose latest finished run FAILED; `impacted_by` counts those pipelines.
- costs: see costs.py (whole UTC usage days).
"""

from datetime import timedelta

from django.utils import timezone

from . import costs, datasets, impact, sla
from . import queries as q
from .pipelines import CRITICALITY_RANK

TOP_ASSETS = 10


def top_impacted_assets(limit: int = TOP_ASSETS) -> list[dict]:
    failing = [r["pipeline_id"] for r in q.fetch_all("failing_pipelines", now=q.now_naive())]
    reached = impact.reach(failing)
    ranked = sorted(
        reached.consumers.values(),
        key=lambda c: (-c["mask"].bit_count(), CRITICALITY_RANK.get(c["criticality"], 9), c["dataset_id"]),
    )
    return [
        {
            "id": c["dataset_id"],
            "name": c["name"],
            "kind": c["kind"],
            "criticality": c["criticality"],
            "owner": c["owner"],
            "team": c["team"],
            "impacted_by": reached.impacted_by(c["dataset_id"]),
            "failing_pipelines": reached.origins_of(c["dataset_id"], limit=10),
        }
        for c in ranked[:limit]
    ]


def build_summary() -> dict:
    now = q.now_naive()
    counts = q.fetch_one("summary_pipelines") or {}
    runs = q.fetch_one("summary_runs", now=now, since=now - timedelta(hours=24)) or {}
    breaches = len(sla.evaluate_all(status="breached", ids_only=True))
    return {
        "pipelines": int(counts.get("pipelines") or 0),
        "active": int(counts.get("active") or 0),
        "runs_24h": int(runs.get("runs_24h") or 0),
        "failures_24h": int(runs.get("failures_24h") or 0),
        "running": int(runs.get("running") or 0),
        "sla_breaches": breaches,
        "stale_datasets": datasets.stale_count(),
        "top_impacted_downstream_assets": top_impacted_assets(),
        **costs.totals(),
        "generated_at": timezone.now(),
    }
