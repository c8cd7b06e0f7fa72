"""Audited writes to SLA policy assignments and their exceptions."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import thresholds
from ..choices import AuditAction, Profile
from ..errors import NotFound
from ..models import PolicyAssignment, PolicyAuditEvent
from . import exceptions
from ._common import Actor, actor_name, check_choice, clean_target, locked_active, record


@transaction.atomic
def assign_profile(
    scope: str, target_id: str, profile: str, *, actor: Actor, reason: str = ""
) -> PolicyAssignment:
    """Assign `profile` to (scope, target), replacing the active assignment if there is one.
    Changing the profile voids an exception on the assignment: it approved another deviation."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    check_choice("profile", profile, Profile.values)
    now = timezone.now()
    row = locked_active(PolicyAssignment, scope, target_id)
    if row is not None and row.profile == profile:
        return row
    if row is None:
        row, old, action = (
            PolicyAssignment(scope=scope, target_id=target_id, created_by=actor),
            None,
            AuditAction.ASSIGN,
        )
        row.created_at = now
    else:
        old, action = row.snapshot(), AuditAction.UPDATE
        exceptions.void(row)
    row.profile, row.reason, row.updated_by, row.updated_at = profile, reason or "", actor, now
    row.save()
    thresholds.invalidate()  # now for this thread, and again once other threads can see the change
    transaction.on_commit(thresholds.invalidate)
    record(
        PolicyAuditEvent,
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
def remove_assignment(scope: str, target_id: str, *, actor: Actor, reason: str = "") -> PolicyAssignment:
    """Deactivate the assignment (the row stays, inactive); resolution falls back to the next level."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    row = _require(scope, target_id)
    old = row.snapshot()
    row.is_active, row.reason, row.updated_by, row.updated_at = False, reason or "", actor, timezone.now()
    row.save()
    thresholds.invalidate()  # now for this thread, and again once other threads can see the change
    transaction.on_commit(thresholds.invalidate)
    record(
        PolicyAuditEvent,
        AuditAction.REMOVE,
        scope=scope,
        target_id=target_id,
        actor=actor,
        reason=reason,
        old=old,
    )
    return row


@transaction.atomic
def propose_exception(
    scope: str,
    target_id: str,
    *,
    actor: Actor,
    reason: str,
    expires_at: datetime | None,
    review_due_at: datetime | None = None,
    waiver_template: str = "",
    profile: str | None = None,
) -> PolicyAssignment:
    """Mark the assignment as an exception awaiting review; with `profile`, assign it first."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    if profile is not None:
        assign_profile(scope, target_id, profile, actor=actor, reason=reason)
    row = _require(scope, target_id)
    return exceptions.propose(
        row,
        PolicyAuditEvent,
        actor=actor,
        reason=reason,
        expires_at=expires_at,
        review_due_at=review_due_at,
        waiver_template=waiver_template,
    )


@transaction.atomic
def review_exception(
    scope: str, target_id: str, decision: str, *, actor: Actor, reason: str = ""
) -> PolicyAssignment:
    """Approve or reject a proposed exception; the proposer cannot review it (FourEyesViolation)."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    return exceptions.review(
        _require(scope, target_id), PolicyAuditEvent, decision, actor=actor, reason=reason
    )


def _require(scope: str, target_id: str) -> PolicyAssignment:
    row = locked_active(PolicyAssignment, scope, target_id)
    if row is None:
        raise NotFound(
            f"No active policy assignment for {scope} {target_id!r}.",
            {"scope": scope, "target_id": target_id},
        )
    return row
