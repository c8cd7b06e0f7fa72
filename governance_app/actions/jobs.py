"""Actions run by scheduled jobs (they act as "system:<task>")."""

from datetime import datetime

from django.utils import timezone

from ..models import DQAuditEvent, DQStandard, PolicyAssignment, PolicyAuditEvent
from . import exceptions

EXPIRE_ACTOR = "system:expire_exceptions"


def expire_exceptions(*, now: datetime | None = None, actor: str = EXPIRE_ACTOR) -> dict:
    """Record every approved exception past its expiry as expired, with an audit row each.
    Returns how many policy and DQ exceptions it expired."""
    now = now or timezone.now()
    return {
        "policy": exceptions.expire_due(PolicyAssignment, PolicyAuditEvent, actor=actor, now=now),
        "dq": exceptions.expire_due(DQStandard, DQAuditEvent, actor=actor, now=now),
    }
