"""Cost-anomaly refresh: ask every source for its cost anomalies (GET /api/costs/anomalies) and
keep one record per live anomaly (alerting_app alerts on the open ones). New anomalies open a
record; known ones update in place (last seen moves at most once per hourly window); anomalies a
source no longer reports are resolved — only when that source answered in full, never because it was down."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from aggregate_app import client, sources
from aggregate_app.models import CostAnomalyRecord

from .windows import COST_WINDOW, window_start

PATH = "/api/costs/anomalies"
MAX_ITEMS = 5000
Status = CostAnomalyRecord.Status
MONEY = ("latest_cost_aud", "baseline_median_aud", "delta_aud")


def figures(item: dict) -> dict:
    values = {k: item.get(k) or "" for k in ("pipeline_name", "team", "domain", "severity")}
    values.update(usage_date=date.fromisoformat(str(item["date"])[:10]))
    values.update({k: item.get(k) for k in ("ratio", "robust_z")})
    values.update({k: None if item.get(k) is None else Decimal(str(round(item[k], 2))) for k in MONEY})
    return values


def upsert(source: str, item: dict, now: datetime) -> str:
    """opened | reopened | updated | unchanged"""
    pid, values = str(item["pipeline_id"]), figures(item)
    live = CostAnomalyRecord.objects.select_for_update().filter(source=source, pipeline_id=pid)
    record = live.exclude(status=Status.RESOLVED).first()
    if record is None:
        record = live.filter(status=Status.RESOLVED, usage_date=values["usage_date"]).order_by("-pk").first()
        if record is not None:  # flapped back on the same usage day: the same anomaly, no new alert
            values.update(status=Status.OPEN, resolved_at=None, last_seen_at=now)
            CostAnomalyRecord.objects.filter(pk=record.pk).update(**values)
            return "reopened"
        values.update(first_seen_at=now, last_seen_at=now)
        CostAnomalyRecord.objects.create(source=source, pipeline_id=pid, **values)
        return "opened"
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    if window_start(record.last_seen_at, COST_WINDOW) < window_start(now, COST_WINDOW):
        changed["last_seen_at"] = now
    if not changed:
        return "unchanged"
    CostAnomalyRecord.objects.filter(pk=record.pk).update(**changed)
    return "updated"


def apply_source(source: str, items: list[dict], complete: bool, now: datetime) -> dict:
    counts, seen = Counter(), set()
    for item in items:
        if not item.get("is_anomaly", True):
            continue
        seen.add(str(item["pipeline_id"]))
        try:
            with transaction.atomic():
                counts[upsert(source, item, now)] += 1
        except IntegrityError:  # another worker opened it first
            counts["unchanged"] += 1
    if complete:
        gone = CostAnomalyRecord.objects.filter(source=source).exclude(status=Status.RESOLVED)
        gone = gone.exclude(pipeline_id__in=seen)
        counts["resolved"] = gone.update(status=Status.RESOLVED, resolved_at=now)
    return {"status": "ok", "complete": complete, **counts}


def refresh_cost_anomalies(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    outcomes = client.fetch(sources.configured(), client.Call(path=PATH, window=(0, MAX_ITEMS)))
    result = {}
    for name, outcome in outcomes.items():
        data = outcome.data if outcome.ok and isinstance(outcome.data, dict) else None
        if data is None or not isinstance(data.get("items"), list):
            result[name] = {"status": "degraded", "reason": outcome.reason or outcome.kind}
            continue
        result[name] = apply_source(name, data["items"], bool(data.get("complete", True)), now)
    return {"sources": result}


def acknowledge(records, *, actor: str, now: datetime | None = None) -> int:
    """Mark open anomalies acknowledged (they stay until gone; no further alert)."""
    return records.filter(status=Status.OPEN).update(
        status=Status.ACKNOWLEDGED, acknowledged_at=now or timezone.now(), acknowledged_by=actor[:150]
    )
