"""Assisted-mode telemetry (counters and recent attempts) and the provider posture. Neither ever
includes a credential: provider descriptions carry `*_set` booleans, not keys."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, Max, Sum
from django.utils import timezone

from . import providers
from .choices import AttemptStatus, assisted_engine
from .models import AssistedAttempt

RECENT_FIELDS = (
    "created_at",
    "provider",
    "model",
    "status",
    "error_class",
    "tries",
    "latency_ms",
    "input_tokens",
    "output_tokens",
    "cited_statements",
    "dropped_statements",
    "run_id",
    "pipeline_id",
    "request_id",
)


def _counts(qs, key: str) -> dict:
    return {row[key] or "none": row["n"] for row in qs.values(key).annotate(n=Count("id")).order_by(key)}


def summary(*, days: int, limit: int) -> dict:
    since = timezone.now() - timedelta(days=days)
    qs = AssistedAttempt.objects.filter(created_at__gte=since)
    stats = qs.aggregate(
        total=Count("id"),
        avg_latency_ms=Avg("latency_ms"),
        max_latency_ms=Max("latency_ms"),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        dropped_statements=Sum("dropped_statements"),
    )
    by_status = {s: 0 for s in AttemptStatus.values} | _counts(qs, "status")
    errors = qs.exclude(error_class="")
    return {
        "window_days": days,
        "since": since,
        "total": stats["total"],
        "by_status": by_status,
        "by_provider": _counts(qs, "provider"),
        "by_error_class": _counts(errors, "error_class"),
        "latency_ms": {
            "avg": round(stats["avg_latency_ms"]) if stats["avg_latency_ms"] is not None else None,
            "max": stats["max_latency_ms"],
        },
        "tokens": {"input": stats["input_tokens"] or 0, "output": stats["output_tokens"] or 0},
        "dropped_statements": stats["dropped_statements"] or 0,
        "recent": list(qs.values(*RECENT_FIELDS)[:limit]),
        "generated_at": timezone.now(),
    }


def provider_status() -> dict:
    selected = providers.selected_name()
    catalog = {}
    for name in providers.PROVIDERS:
        cls = providers.provider_class(name)
        missing = cls.missing()
        catalog[name] = {"configured": not missing, "missing_settings": missing, **cls.describe()}
    requested = providers.requested()
    configured = bool(selected) and catalog[selected]["configured"]
    return {
        "requested_provider": requested or None,
        "selected_provider": selected,
        "enabled": bool(requested),
        "configured": configured,
        "mode": assisted_engine(selected) if configured else None,  # what assisted answers report now
        "failure_policy": settings.ASSISTED_FAILURE_POLICY,
        "retry": {
            "max_attempts": settings.ASSISTED_RETRY_MAX_ATTEMPTS,
            "base_ms": settings.ASSISTED_RETRY_BASE_MS,
        },
        "timeout_s": settings.ASSISTED_TIMEOUT_S,
        "providers": catalog,
        "generated_at": timezone.now(),
    }
