"""Helpers every action shares: who the actor is, input checks, and the audit row."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone

from controltower.middleware import client_request_id, current_request_id

from ..choices import Scope
from ..errors import InvalidInput
from ..models.audit import AuditEvent

Actor = str | AbstractBaseUser


def actor_name(actor: Actor) -> str:
    """A username, or the literal string given (jobs act as "system:<task>")."""
    name = actor if isinstance(actor, str) else actor.get_username()
    if not name:
        raise InvalidInput("An audited change needs an actor.", {"field": "actor"})
    return name


def clean_target(scope: str, target_id: str) -> tuple[str, str]:
    if scope not in Scope.values:
        raise InvalidInput(
            f"scope must be one of {', '.join(Scope.values)}; got {str(scope)[:40]!r}.",
            {"field": "scope", "choices": Scope.values},
        )
    target = (target_id or "").strip()
    if not target or len(target) > 200:
        raise InvalidInput(
            "target_id must be a non-empty id of at most 200 characters.", {"field": "target_id"}
        )
    return scope, target


def check_choice(field: str, value: str, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(
            f"{field} must be one of {', '.join(choices)}; got {str(value)[:40]!r}.",
            {"field": field, "choices": choices},
        )
    return value


def check_future(field: str, value: datetime | None, now: datetime, *, required: bool) -> None:
    if value is None:
        if required:
            raise InvalidInput(f"{field} is required.", {"field": field})
        return
    if timezone.is_naive(value):
        raise InvalidInput(f"{field} needs a timezone (ISO 8601 with Z or an offset).", {"field": field})
    if value <= now:
        raise InvalidInput(f"{field} must be in the future.", {"field": field})


def record(
    model: type[AuditEvent],
    action: str,
    *,
    scope: str,
    target_id: str,
    actor: str,
    reason: str = "",
    old: dict | None = None,
    new: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit row (call inside the transaction that made the change)."""
    return model.objects.create(
        action=action,
        scope=scope,
        target_id=target_id,
        changed_by=actor,
        changed_at=at or timezone.now(),
        reason=reason or "",
        old_value=old,
        new_value=new,
        request_id=current_request_id.get(),
        client_request_id=client_request_id.get(),
    )


def record_row(
    model: type[AuditEvent], action: str, row, *, actor: str, reason: str, old: dict, at: datetime
) -> AuditEvent:
    """Append the audit row of a change to an assignment `row` (its target, and its new snapshot)."""
    return record(
        model, action, scope=row.scope, target_id=row.target_id, actor=actor, reason=reason,
        old=old, new=row.snapshot(), at=at,
    )  # fmt: skip


def locked_active(model: type[models.Model], scope: str, target_id: str):
    """The active row for (scope, target), locked for the rest of the transaction, or None."""
    return model.objects.select_for_update().filter(scope=scope, target_id=target_id, is_active=True).first()
