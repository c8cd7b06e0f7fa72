"""Audited writes to DQ standards and their exceptions."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..choices import AuditAction
from ..errors import InvalidInput, NotFound
from ..models import DQAuditEvent, DQStandard
from . import exceptions
from ._common import Actor, actor_name, clean_target, locked_active, record

STANDARD_FIELDS = ("runbook_required", "max_breach_ratio", "max_failures_7d")


@transaction.atomic
def upsert_dq_standard(
    scope: str, target_id: str, values: dict, *, actor: Actor, reason: str = ""
) -> DQStandard:
    """Set standard values on (scope, target). Keys left out keep their value; None means "inherit".
    Exception fields are left as they are: a DQ exception waives the target's failures, whatever
    the thresholds."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    values = _clean_values(values)
    now = timezone.now()
    row = locked_active(DQStandard, scope, target_id)
    if row is None:
        row, old, action = (
            DQStandard(scope=scope, target_id=target_id, created_by=actor),
            None,
            AuditAction.ASSIGN,
        )
        row.created_at = now
    elif all(getattr(row, k) == v for k, v in values.items()):
        return row
    else:
        old, action = row.snapshot(), AuditAction.UPDATE
    for key, value in values.items():
        setattr(row, key, value)
    row.reason, row.updated_by, row.updated_at = reason or "", actor, now
    row.save()
    record(
        DQAuditEvent,
        action,
        scope=scope,
        target_id=target_id,
        actor=actor,
        reason=reason,
        old=old,
        new=row.snapshot(),
    )
    return row


@transaction.atomic
def remove_dq_standard(scope: str, target_id: str, *, actor: Actor, reason: str = "") -> DQStandard:
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    row = _require(scope, target_id)
    old = row.snapshot()
    row.is_active, row.reason, row.updated_by, row.updated_at = False, reason or "", actor, timezone.now()
    row.save()
    record(
        DQAuditEvent,
        AuditAction.REMOVE,
        scope=scope,
        target_id=target_id,
        actor=actor,
        reason=reason,
        old=old,
    )
    return row


@transaction.atomic
def propose_dq_exception(
    scope: str,
    target_id: str,
    *,
    actor: Actor,
    reason: str,
    expires_at: datetime | None,
    review_due_at: datetime | None = None,
    waiver_template: str = "",
) -> DQStandard:
    """Propose waiving the DQ standards for (scope, target); creates an empty standard row to carry
    the exception when the target has none."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    row = locked_active(DQStandard, scope, target_id) or upsert_dq_standard(
        scope, target_id, {}, actor=actor, reason=reason
    )
    return exceptions.propose(
        row,
        DQAuditEvent,
        actor=actor,
        reason=reason,
        expires_at=expires_at,
        review_due_at=review_due_at,
        waiver_template=waiver_template,
    )


@transaction.atomic
def review_dq_exception(
    scope: str, target_id: str, decision: str, *, actor: Actor, reason: str = ""
) -> DQStandard:
    """Approve or reject a proposed DQ exception; the proposer cannot review it (FourEyesViolation)."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    return exceptions.review(_require(scope, target_id), DQAuditEvent, decision, actor=actor, reason=reason)


def _clean_values(values: dict) -> dict:
    unknown = set(values) - set(STANDARD_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(
            f"{field} is not a DQ standard; use {', '.join(STANDARD_FIELDS)}.", {"field": field}
        )
    ratio = values.get("max_breach_ratio")
    if ratio is not None and not (isinstance(ratio, int | float) and 0 <= ratio <= 1):
        raise InvalidInput(
            "max_breach_ratio must be a number between 0 and 1.", {"field": "max_breach_ratio"}
        )
    failures = values.get("max_failures_7d")
    if failures is not None and not (
        isinstance(failures, int) and not isinstance(failures, bool) and failures >= 0
    ):
        raise InvalidInput("max_failures_7d must be a whole number >= 0.", {"field": "max_failures_7d"})
    required = values.get("runbook_required")
    if required is not None and not isinstance(required, bool):
        raise InvalidInput("runbook_required must be true, false or null.", {"field": "runbook_required"})
    return values


def _require(scope: str, target_id: str) -> DQStandard:
    row = locked_active(DQStandard, scope, target_id)
    if row is None:
        raise NotFound(
            f"No active DQ standard for {scope} {target_id!r}.", {"scope": scope, "target_id": target_id}
        )
    return row
