"""The lifecycle of an alert incident as audited verbs. Each runs in one transaction that changes
the incident, writes its audit event and its outbox rows (notifications), and hands the rows to a
worker only once the transaction commits. The API, the admin, the Alerts page and the jobs call
these and nothing else."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from controltower.middleware import current_request_id

from .channels.base import Transition
from .choices import Action, State
from .models import AlertEvent, AlertIncident, Notification
from .routing import routes

log = logging.getLogger(__name__)
SYSTEM = "system:alerting"


class AlertStateError(Exception):
    """The incident cannot make that move (e.g. acknowledging a resolved incident)."""


@dataclass(frozen=True)
class Occurrence:
    """One sighting of a condition, as evaluation reports it."""

    kind: str
    source: str
    subject: str
    observed_at: datetime
    title: str
    occurrence: str = ""  # what makes it a new occurrence: a run id, a usage day, a smoke run
    detail: str = ""
    pipeline_id: str = ""
    dataset: str = ""
    team: str = ""
    domain: str = ""
    criticality: str = ""
    severity: str = "error"

    @property
    def fingerprint(self) -> str:
        return f"{self.source}:{self.subject}:{self.kind}"


def _event(incident: AlertIncident, action: str, actor: str, reason: str = "", **details) -> None:
    AlertEvent.objects.create(
        incident=incident,
        action=action,
        actor=actor,
        reason=reason[:500],
        details=details,
        request_id=current_request_id.get()[:100],
    )


def idempotency_key(incident_pk: int, transition: str, channel: str) -> str:
    return f"ct-alert-{incident_pk}-{transition}-{channel}"[:200]


def notify(incident: AlertIncident, transition: str, now: datetime) -> list[Notification]:
    """Outbox rows for a root incident's transition, one per routed channel (never twice: the
    (incident, transition, channel) key is unique). Members are told through their root."""
    if incident.root_id is not None:
        return []
    if transition == Transition.RESOLVE:
        told = set(
            incident.notifications.filter(transition=Transition.TRIGGER).values_list("channel", flat=True)
        )
        chosen = [r for r in routes(incident, now) if r.channel in told]
    else:
        chosen = routes(incident, now)
    known = set(incident.notifications.filter(transition=transition).values_list("channel", flat=True))
    rows = [
        Notification(
            incident=incident,
            transition=transition,
            channel=r.channel,
            idempotency_key=idempotency_key(incident.pk, transition, r.channel),
            next_attempt_at=r.not_before,
            created_at=now,
        )
        for r in chosen
        if r.channel not in known
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(idempotency_key__in=[n.idempotency_key for n in rows]).values_list(
            "pk", "next_attempt_at"
        )
    )
    transaction.on_commit(lambda: _hand_to_workers(created, now))
    return rows


def _hand_to_workers(rows: list[tuple[int, datetime]], now: datetime) -> None:
    from .tasks import enqueue  # tasks import this module

    for pk, when in rows:
        enqueue(pk, when if when > now else None)


@transaction.atomic
def record(
    occ: Occurrence, *, now: datetime | None = None, root: AlertIncident | None = None
) -> AlertIncident:
    """Open an incident for `occ`, or count a new occurrence on the live one. A member (root
    given) is attached to its root and notifies nothing itself."""
    now = now or timezone.now()
    live = (
        AlertIncident.objects.select_for_update()
        .filter(fingerprint=occ.fingerprint)
        .exclude(state=State.RESOLVED)
    )
    incident = live.first()
    if incident is None:
        incident = _open(occ, now, root)
    else:
        _count(incident, occ, now)
        if (
            root is not None
            and incident.root_id is None
            and incident.pk != root.pk
            and not incident.members.exists()
        ):
            incident.root = root
            incident.save(update_fields=["root"])
            _event(incident, Action.ATTACHED, SYSTEM, root=root.pk)
    return incident


def _open(occ: Occurrence, now: datetime, root: AlertIncident | None) -> AlertIncident:
    fields = {f: getattr(occ, f) for f in ("kind", "source", "subject", "title", "detail", "pipeline_id")}
    fields |= {f: getattr(occ, f) for f in ("dataset", "team", "domain", "criticality", "severity")}
    incident = AlertIncident.objects.create(
        fingerprint=occ.fingerprint,
        first_seen_at=occ.observed_at or now,
        last_seen_at=occ.observed_at or now,
        last_occurrence=occ.occurrence,
        root=root,
        **fields,
    )
    _event(incident, Action.OPENED, SYSTEM, occ.detail, occurrence=occ.occurrence)
    if root is not None:
        _event(incident, Action.ATTACHED, SYSTEM, root=root.pk)
    else:
        notify(incident, Transition.TRIGGER, now)
    return incident


def _count(incident: AlertIncident, occ: Occurrence, now: datetime) -> None:
    """A different occurrence (another failed run) counts; seeing the same one again does not."""
    if occ.occurrence and occ.occurrence == incident.last_occurrence:
        return
    AlertIncident.objects.filter(pk=incident.pk).update(
        count=F("count") + 1,
        last_seen_at=max(occ.observed_at or now, incident.last_seen_at),
        last_occurrence=occ.occurrence,
        title=occ.title,
        detail=occ.detail,
    )
    incident.refresh_from_db()


def _live(incident: AlertIncident) -> AlertIncident:
    locked = AlertIncident.objects.select_for_update().get(pk=incident.pk)
    if locked.state == State.RESOLVED:
        raise AlertStateError("This alert is already resolved.")
    return locked


@transaction.atomic
def acknowledge(incident: AlertIncident, *, actor: str, reason: str = "", now: datetime | None = None):
    now = now or timezone.now()
    incident = _live(incident)
    if incident.state == State.ACKNOWLEDGED:
        raise AlertStateError("This alert is already acknowledged.")
    incident.state, incident.acknowledged_at, incident.acknowledged_by = State.ACKNOWLEDGED, now, actor
    incident.snoozed_until, incident.snoozed_by, incident.snooze_reason = None, "", ""
    incident.save()
    _event(incident, Action.ACKNOWLEDGED, actor, reason)
    notify(incident, Transition.ACKNOWLEDGE, now)
    return incident


@transaction.atomic
def snooze(incident: AlertIncident, *, actor: str, reason: str, until: datetime, now: datetime | None = None):
    """Quiet an incident until `until`; it wakes by itself (expire_snoozes)."""
    now = now or timezone.now()
    if until <= now:
        raise AlertStateError("A snooze must end in the future.")
    if not reason.strip():
        raise AlertStateError("Say why the alert is snoozed.")
    incident = _live(incident)
    incident.state, incident.snoozed_until = State.SNOOZED, until
    incident.snoozed_by, incident.snooze_reason = actor, reason[:500]
    incident.save()
    _event(incident, Action.SNOOZED, actor, reason, until=until.isoformat())
    return incident


def expire_snoozes(*, now: datetime | None = None) -> int:
    """Wake every incident whose snooze has ended: back to acknowledged if it was, else open."""
    now = now or timezone.now()
    woken = 0
    for pk in AlertIncident.objects.filter(state=State.SNOOZED, snoozed_until__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            incident = AlertIncident.objects.select_for_update().get(pk=pk)
            if incident.state != State.SNOOZED or incident.snoozed_until > now:
                continue
            incident.state = State.ACKNOWLEDGED if incident.acknowledged_at else State.OPEN
            incident.snoozed_until = None
            incident.save()
            _event(incident, Action.SNOOZE_EXPIRED, SYSTEM, until=now.isoformat())
            woken += 1
    return woken


@transaction.atomic
def resolve(
    incident: AlertIncident, *, actor: str, reason: str, now: datetime | None = None
) -> AlertIncident:
    """Close the incident and send the resolve notice to every channel that heard of it. An
    operator resolving a root also resolves its live members."""
    now = now or timezone.now()
    incident = _live(incident)
    incident.state, incident.resolved_at, incident.resolved_by = State.RESOLVED, now, actor
    incident.resolve_reason, incident.snoozed_until = reason[:500], None
    incident.save()
    _event(incident, Action.RESOLVED, actor, reason)
    notify(incident, Transition.RESOLVE, now)
    if actor != SYSTEM:
        for member in incident.members.exclude(state=State.RESOLVED):
            resolve(member, actor=actor, reason=f"With its root cause: {reason}", now=now)
    return incident
