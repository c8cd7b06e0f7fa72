"""Delivering the notification outbox. A worker claims a row with a conditional UPDATE (status
and claim token), delivers it through its channel, and records the outcome only while it still
holds the claim, so two workers, or a worker that died mid-delivery and was taken over, record
one delivery. A failure is retried with exponential backoff and jitter; a refusal that will never
succeed (DeliveryError(retryable=False)) or the last attempt gives up. Receivers can dedupe a
resend after a crash on the message's idempotency key."""

import logging
import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from controltower.observe.metrics import ALERT_DELIVERIES

from .channels.base import DeliveryError, Member, Message
from .choices import DeliveryStatus as S
from .models import AlertIncident, Notification
from .routing import channel

log = logging.getLogger(__name__)
BACKOFF_CAP_S = 3600


def backoff(attempts: int) -> timedelta:
    """Exponential in the attempts made so far, with jitter (0.5x-1.5x) so retries spread out."""
    base = min(BACKOFF_CAP_S, settings.CT_ALERT_RETRY_BASE_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.5))


def abandoned(now: datetime) -> Q:
    """A claim whose worker died (SIGKILL, OOM) before recording the outcome."""
    return Q(status=S.SENDING, claimed_at__lt=now - timedelta(seconds=settings.CT_ALERT_CLAIM_TIMEOUT_S))


def claimable(now: datetime) -> Q:
    waiting = Q(status__in=(S.PENDING, S.FAILED), next_attempt_at__lte=now)
    return (waiting | abandoned(now)) & Q(attempts__lt=settings.CT_ALERT_MAX_ATTEMPTS)


def give_up_abandoned(now: datetime | None = None) -> int:
    """Abandoned on its last allowed attempt: nothing would take it over, so say it gave up."""
    last = Q(attempts__gte=settings.CT_ALERT_MAX_ATTEMPTS)
    return Notification.objects.filter(abandoned(now or timezone.now()) & last).update(
        status=S.GAVE_UP, last_error="The worker delivering it stopped during its last allowed attempt."
    )


def claim(pk: int, now: datetime) -> str | None:
    token = uuid.uuid4().hex
    won = Notification.objects.filter(claimable(now), pk=pk).update(
        status=S.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    return token if won else None


def incident_url(incident: AlertIncident) -> str:
    return f"{settings.CT_ALERT_PUBLIC_URL.rstrip('/')}/ops/alerts/{incident.pk}"


def summary(incident: AlertIncident, members: list[AlertIncident]) -> str:
    lines = [incident.detail or incident.title]
    if members:
        names = ", ".join(m.subject for m in members[:10]) + (" and more" if len(members) > 10 else "")
        lines.append(f"It hits {len(members)} downstream: {names}.")
    return "\n".join(lines)


def message(note: Notification) -> Message:
    """The message for a notification, built from the incident as it is now (members attached
    since the trigger are named)."""
    incident = note.incident
    members = list(incident.members.order_by("kind", "subject"))
    return Message(
        fingerprint=incident.fingerprint,
        transition=note.transition,
        idempotency_key=note.idempotency_key,
        kind=incident.kind,
        severity=incident.severity,
        title=incident.title,
        summary=summary(incident, members),
        source=incident.source,
        subject=incident.subject,
        url=incident_url(incident),
        opened_at=incident.first_seen_at,
        last_seen_at=incident.last_seen_at,
        count=incident.count,
        team=incident.team or None,
        pipeline_id=incident.pipeline_id or None,
        members=tuple(
            Member(m.kind, m.source, m.subject, m.pipeline_id or None, m.dataset or None) for m in members
        ),
        facts={"state": incident.state, "downstream": str(len(members))},
    )


def _finish(pk: int, token: str, **fields) -> bool:
    """Record the outcome only while this worker still holds the claim."""
    return bool(Notification.objects.filter(pk=pk, status=S.SENDING, claim_token=token).update(**fields))


def deliver(pk: int, *, now: datetime | None = None) -> str:
    """Claim and deliver one notification: its resulting status, "" when it was not claimable."""
    now = now or timezone.now()
    token = claim(pk, now)
    if token is None:
        return ""
    note = Notification.objects.select_related("incident").get(pk=pk)
    adapter = channel(note.channel)
    if adapter is None:
        _finish(
            pk, token, status=S.NO_CHANNEL, last_error=f"No channel named {note.channel!r} is configured."
        )
        ALERT_DELIVERIES.labels(note.channel, S.NO_CHANNEL).inc()
        return S.NO_CHANNEL
    try:
        sent = adapter.deliver(message(note))
    except DeliveryError as exc:
        return _failed(note, token, exc.detail, exc.status_code, exc.retryable, now)
    except Exception as exc:  # an adapter bug must not leave the row claimed until the timeout
        log.exception("channel %s raised while delivering notification %s", note.channel, pk)
        return _failed(note, token, type(exc).__name__, None, True, now)
    done = timezone.now()
    recorded = _finish(
        pk,
        token,
        status=S.DELIVERED,
        delivered_at=done,
        status_code=sent.status_code,
        payload=sent.payload,
        last_error="",
    )
    if recorded:
        ALERT_DELIVERIES.labels(note.channel, S.DELIVERED).inc()
    return S.DELIVERED if recorded else ""


def _failed(
    note: Notification, token: str, detail: str, code: int | None, retryable: bool, now: datetime
) -> str:
    final = not retryable or note.attempts >= settings.CT_ALERT_MAX_ATTEMPTS
    status = S.GAVE_UP if final else S.FAILED
    log.warning("notification %s to %s failed (attempt %s): %s", note.pk, note.channel, note.attempts, detail)
    _finish(
        note.pk,
        token,
        status=status,
        last_error=detail[:500],
        status_code=code,
        next_attempt_at=now + backoff(note.attempts),
    )
    ALERT_DELIVERIES.labels(note.channel, status).inc()
    return status


def due(now: datetime | None = None) -> list[int]:
    return list(
        Notification.objects.filter(claimable(now or timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
