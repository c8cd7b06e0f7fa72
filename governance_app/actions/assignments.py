"""Audited writes to assignments of either kind (governance_app.kinds): set, remove, and the
exception on them (propose, review)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..choices import AuditAction
from ..errors import NotFound
from ..kinds import AssignmentKind
from ..models.base import Assignment
from ..write_scope import action
from . import exceptions
from ._common import Actor, actor_name, clean_target, locked_active, record, record_row


@action
def assign(
    kind: AssignmentKind, scope: str, target_id: str, values: dict, *, actor: Actor, reason: str = ""
) -> Assignment:
    """Set `values` on (scope, target), creating the active row or updating it. For a partial kind
    keys left out keep their value and None means "inherit"; an unchanged row is left alone."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    values = kind.clean(dict(values))
    now = timezone.now()
    row = locked_active(kind.model, scope, target_id)
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return row
    if row is None:
        row, old, verb = (
            kind.model(scope=scope, target_id=target_id, created_by=actor),
            None,
            AuditAction.ASSIGN,
        )
        row.created_at = now
    else:
        old, verb = row.snapshot(), AuditAction.UPDATE
        if kind.voids_exception_on_change:
            exceptions.void(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.reason, row.updated_by, row.updated_at = reason or "", actor, now
    row.save()
    _changed(kind)
    record_row(kind.audit_model, verb, row, actor=actor, reason=reason, old=old, at=now)
    return row


@action
def remove(kind: AssignmentKind, scope: str, target_id: str, *, actor: Actor, reason: str = "") -> Assignment:
    """Deactivate the active row (it stays, inactive); resolution falls back to the next level."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    row = _require(kind, scope, target_id)
    old = row.snapshot()
    row.is_active, row.reason, row.updated_by, row.updated_at = False, reason or "", actor, timezone.now()
    row.save()
    _changed(kind)
    record(
        kind.audit_model,
        AuditAction.REMOVE,
        scope=scope,
        target_id=target_id,
        actor=actor,
        reason=reason,
        old=old,
    )
    return row


@action
def propose_exception(
    kind: AssignmentKind,
    scope: str,
    target_id: str,
    *,
    actor: Actor,
    reason: str,
    expires_at: datetime | None,
    review_due_at: datetime | None = None,
    waiver_template: str = "",
    values: dict | None = None,
) -> Assignment:
    """Mark the assignment as an exception awaiting review; with `values`, assign them first (all or
    nothing). A DQ proposal on a target without standards creates an empty row to carry it; a
    policy one needs the assignment (see kinds)."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    if values is not None:
        assign(kind, scope, target_id, values, actor=actor, reason=reason)
    row = locked_active(kind.model, scope, target_id)
    if row is None and kind.proposal_creates_row:
        row = assign(kind, scope, target_id, {}, actor=actor, reason=reason)
    return exceptions.propose(
        row or _require(kind, scope, target_id),
        kind.audit_model,
        actor=actor,
        reason=reason,
        expires_at=expires_at,
        review_due_at=review_due_at,
        waiver_template=waiver_template,
    )


@action
def review_exception(
    kind: AssignmentKind, scope: str, target_id: str, decision: str, *, actor: Actor, reason: str = ""
) -> Assignment:
    """Approve or reject a proposed exception; the proposer cannot review it (FourEyesViolation)."""
    actor = actor_name(actor)
    scope, target_id = clean_target(scope, target_id)
    row = _require(kind, scope, target_id)
    return exceptions.review(row, kind.audit_model, decision, actor=actor, reason=reason)


def _changed(kind: AssignmentKind) -> None:
    if kind.changed is not None:
        kind.changed()  # now for this thread, and again once other threads can see the change
        transaction.on_commit(kind.changed)


def _require(kind: AssignmentKind, scope: str, target_id: str) -> Assignment:
    row = locked_active(kind.model, scope, target_id)
    if row is None:
        raise NotFound(
            f"No active {kind.noun} for {scope} {target_id!r}.", {"scope": scope, "target_id": target_id}
        )
    return row
