"""Actions run by scheduled jobs (they act as "system:<task>")."""

from datetime import datetime

from django.utils import timezone

from ..kinds import KINDS
from ..write_scope import acting
from . import exceptions

EXPIRE_ACTOR = "system:expire_exceptions"


def expire_exceptions(*, now: datetime | None = None, actor: str = EXPIRE_ACTOR) -> dict:
    """Record every approved exception past its expiry as expired, with an audit row each.
    Returns how many policy and DQ exceptions it expired."""
    now = now or timezone.now()
    with acting():  # not one @action transaction: each row is claimed and recorded on its own
        return {
            name: exceptions.expire_due(kind.model, kind.audit_model, actor=actor, now=now)
            for name, kind in KINDS.items()
        }
