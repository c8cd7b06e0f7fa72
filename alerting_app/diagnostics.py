"""Alerting's section of the diagnostics page (CT_DIAGNOSTICS_SECTIONS_PROVIDER): each channel's
last success and last failure, and what waits in its outbox."""

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils.module_loading import import_string

from .choices import DeliveryStatus as S
from .models import Notification
from .routing import channel

WAITING = (S.PENDING, S.SENDING, S.FAILED)


def configured_names() -> list[str]:
    """The channels configured in this deployment (the channel registry's `configured()`)."""
    lookup = settings.CT_ALERT_CHANNELS_PROVIDER.rsplit(".", 1)[0] + ".configured"
    try:
        return sorted(import_string(lookup)())
    except ImportError:
        return []


def channel_rows() -> list[dict]:
    stats = {
        row["channel"]: row
        for row in Notification.objects.values("channel").annotate(
            last_success_at=Max("delivered_at"),
            last_failure_at=Max("claimed_at", filter=Q(status__in=(S.FAILED, S.GAVE_UP, S.NO_CHANNEL))),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
            gave_up=Count("pk", filter=Q(status=S.GAVE_UP)),
        )
    }
    rows = []
    for name in sorted(set(stats) | set(configured_names())):
        adapter = channel(name)
        row = stats.get(name, {})
        last_error = (
            Notification.objects.filter(channel=name)
            .exclude(last_error="")
            .order_by("-claimed_at")
            .values_list("last_error", flat=True)
            .first()
        )
        rows.append(
            {
                "channel": name,
                "kind": getattr(adapter, "kind", None) or "not configured",
                "last_success_at": row.get("last_success_at"),
                "last_failure_at": row.get("last_failure_at"),
                "last_error": last_error,
                "waiting": row.get("waiting", 0),
                "gave_up": row.get("gave_up", 0),
            }
        )
    return rows


def sections() -> dict:
    rows = channel_rows()
    failing = any(
        r["last_failure_at"] and (not r["last_success_at"] or r["last_failure_at"] > r["last_success_at"])
        for r in rows
    )
    status = "degraded" if failing else "ok"
    return {"alert_channels": {"title": "Alert channels", "status": status, "rows": rows}}
