"""The overview numbers for one source (GET /api/summary).

- runs_24h: runs started in the last 24 h; running: runs RUNNING now.
- failures_24h: FAILED runs detected in the last 24 h (ended, or started without an end): the
  `run_failed` incidents of GET /api/incidents?hours=24, counted by the same statement.
- sla_breaches: active pipelines whose SLA status is `breached` over the default 7-day window.
- stale_datasets: the total of GET /api/datasets/stale (datasets.py).
- top_impacted_downstream_assets: consumer assets (dashboards, reports, ML models) reached from
  the most currently failing pipelines — active pipelines whose latest finished run FAILED — by
  the impact walk (impact.consumers_reached: each pipeline's own walk, as its impact view lists
  it); `impacted_by` counts those pipelines. `top_impacted_truncated(_reasons)` say whether any of
  those walks stopped at its depth or node cap, so that assets or counts may be missing.
- costs: see costs.py (whole UTC usage days).
"""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from . import costs, datasets, impact, incidents, sla
from . import queries as q
from .pipelines import CRITICALITY_RANK

TOP_ASSETS = 10


def top_impacted(limit: int = TOP_ASSETS) -> dict:
    """The consumer assets most currently failing pipelines reach, each pipeline walked as its impact
    view walks it, and whether any of those walks stopped at its depth or node cap."""
    failing = sorted({r["pipeline_id"] for r in q.fetch_all("failing_pipelines", now=q.now_naive())})
    reached = impact.consumers_reached(failing)
    assets: dict[str, dict] = {}
    origins: dict[str, list[str]] = defaultdict(list)
    for pipeline_id in failing:  # in id order, so each asset's origins are too
        for row in reached[pipeline_id].consumers:
            assets[row["dataset_id"]] = row
            origins[row["dataset_id"]].append(pipeline_id)
    ranked = sorted(
        assets.values(),
        key=lambda c: (
            -len(origins[c["dataset_id"]]),
            CRITICALITY_RANK.get(c["criticality"], 9),
            c["dataset_id"],
        ),
    )
    reasons = sorted({r.truncated_reason for r in reached.values() if r.truncated_reason})
    return {
        "top_impacted_downstream_assets": [
            {
                "id": c["dataset_id"],
                **{k: c[k] for k in ("name", "kind", "criticality", "owner", "team")},
                "impacted_by": len(origins[c["dataset_id"]]),
                "failing_pipelines": origins[c["dataset_id"]][:10],
            }
            for c in ranked[:limit]
        ],
        "top_impacted_truncated": bool(reasons),
        "top_impacted_truncated_reasons": reasons,
    }


def build_summary() -> dict:
    now = q.now_naive()
    counts = q.fetch_one("summary_pipelines") or {}
    runs = q.fetch_one("summary_runs", now=now, since=now - timedelta(hours=24)) or {}
    breaches = sla.count("breached")
    return {
        "pipelines": int(counts.get("pipelines") or 0),
        "active": int(counts.get("active") or 0),
        "runs_24h": int(runs.get("runs_24h") or 0),
        "failures_24h": incidents.failed_run_count(hours=24),
        "running": int(runs.get("running") or 0),
        "sla_breaches": breaches,
        "stale_datasets": datasets.stale_count(),
        **top_impacted(),
        **costs.totals(),
        "generated_at": timezone.now(),
    }
