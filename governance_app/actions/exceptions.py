"""Exception lifecycle shared by policy assignments and DQ standards:
none -> proposed -> approved | rejected; approved -> expired (by time; the job records it).
A proposal can be renewed from any state (it then waits for a review again)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..choices import AuditAction, Decision, ExceptionStatus
from ..errors import Conflict, FourEyesViolation, InvalidInput
from ..models.audit import AuditEvent
from ..models.base import Assignment
from ._common import check_choice, check_future, record_row


def propose(
    row: Assignment,
    audit_model: type[AuditEvent],
    *,
    actor: str,
    reason: str,
    expires_at: datetime | None,
    review_due_at: datetime | None = None,
    waiver_template: str = "",
) -> Assignment:
    now = timezone.now()
    validate_proposal(reason, expires_at, review_due_at, now)
    old = row.snapshot()
    row.is_exception = True
    row.exception_status = ExceptionStatus.PROPOSED
    row.exception_reason = reason.strip()
    row.proposed_by, row.proposed_at = actor, now
    row.exception_reviewer, row.exception_reviewed_at, row.review_note = "", None, ""
    row.exception_expires_at, row.review_due_at = expires_at, review_due_at
    row.waiver_template = waiver_template or ""
    row.updated_by, row.updated_at = actor, now
    row.save()
    record_row(audit_model, AuditAction.EXCEPTION_PROPOSE, row, actor=actor, reason=reason, old=old, at=now)
    return row


def validate_proposal(
    reason: str, expires_at: datetime | None, review_due_at: datetime | None, now: datetime
) -> None:
    """Raise InvalidInput naming the field unless the proposal can be made as of `now`."""
    check_future("exception_expires_at", expires_at, now, required=True)
    check_future("review_due_at", review_due_at, now, required=False)
    if review_due_at is not None and review_due_at > expires_at:
        raise InvalidInput(
            "review_due_at must not be after exception_expires_at.", {"field": "review_due_at"}
        )
    if not (reason or "").strip():
        raise InvalidInput("An exception needs a reason.", {"field": "reason"})


def review(
    row: Assignment, audit_model: type[AuditEvent], decision: str, *, actor: str, reason: str
) -> Assignment:
    check_choice("decision", decision, Decision.values)
    now = timezone.now()
    if row.exception_status != ExceptionStatus.PROPOSED:
        raise Conflict(
            f"There is no proposed exception on {row.scope} {row.target_id!r} to review "
            f"(its exception status is {row.exception_status!r}).",
            {"exception_status": row.exception_status},
        )
    if actor == row.proposed_by:
        raise FourEyesViolation(
            f"{actor!r} proposed this exception and cannot also review it: another governance admin must "
            "approve or reject it (four eyes).",
            {"proposed_by": row.proposed_by},
        )
    if decision == Decision.APPROVE and row.exception_expires_at <= now:
        raise Conflict(
            "This exception's expiry has already passed: propose it again with a new expiry.",
            {"exception_expires_at": row.exception_expires_at.isoformat()},
        )
    old = row.snapshot()
    approve = decision == Decision.APPROVE
    row.exception_status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REJECTED
    row.exception_reviewer, row.exception_reviewed_at, row.review_note = actor, now, reason or ""
    row.updated_by, row.updated_at = actor, now
    row.save()
    action = AuditAction.EXCEPTION_APPROVE if approve else AuditAction.EXCEPTION_REJECT
    record_row(audit_model, action, row, actor=actor, reason=reason, old=old, at=now)
    return row


def void(row: Assignment) -> None:
    """Clear the exception fields (the deviation they approved no longer exists)."""
    row.is_exception = False
    row.exception_status = ExceptionStatus.NONE
    row.exception_reason = row.proposed_by = row.exception_reviewer = row.review_note = (
        row.waiver_template
    ) = ""
    row.proposed_at = row.exception_reviewed_at = row.exception_expires_at = row.review_due_at = None


def expire_due(model: type[Assignment], audit_model: type[AuditEvent], *, actor: str, now: datetime) -> int:
    """Record approved exceptions past their expiry as expired. Safe to run concurrently and to retry:
    each row is claimed with a conditional UPDATE, and only the claimer writes the audit row."""
    due = model.objects.filter(
        is_active=True, exception_status=ExceptionStatus.APPROVED, exception_expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            row = model.objects.select_for_update().get(pk=pk)
            old = row.snapshot()
            claimed = model.objects.filter(pk=pk, exception_status=ExceptionStatus.APPROVED).update(
                exception_status=ExceptionStatus.EXPIRED, updated_by=actor, updated_at=now
            )
            if not claimed:
                continue
            row.refresh_from_db()
            record_row(
                audit_model,
                AuditAction.EXCEPTION_EXPIRE,
                row,
                actor=actor,
                reason=f"Approved exception expired at {row.exception_expires_at.isoformat()}.",
                old=old,
                at=now,
            )
            expired += 1
    return expired
