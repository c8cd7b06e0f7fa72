"""Exception registers and the review queue, read from the store (no telemetry needed)."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from .choices import ExceptionStatus
from .models import DQStandard, PolicyAssignment
from .models.base import Assignment

KINDS = {"policy": PolicyAssignment, "dq": DQStandard}


def exception_entry(row: Assignment, kind: str, now: datetime) -> dict:
    live = row.live_exception_status(now)
    expires = row.exception_expires_at
    entry = {
        "id": row.pk,
        "kind": kind,
        "scope": row.scope,
        "target_id": row.target_id,
        "status": str(live),
        "recorded_status": row.exception_status,
        "is_active": row.is_active,
        "exception_reason": row.exception_reason,
        "proposed_by": row.proposed_by,
        "proposed_at": row.proposed_at,
        "exception_reviewer": row.exception_reviewer,
        "exception_reviewed_at": row.exception_reviewed_at,
        "review_note": row.review_note,
        "exception_expires_at": expires,
        "review_due_at": row.review_due_at,
        "waiver_template": row.waiver_template,
        "days_to_expiry": round((expires - now).total_seconds() / 86400, 1) if expires else None,
    }
    if kind == "policy":
        entry["profile"] = row.profile
    else:
        entry["standards"] = row.standard_values()
    return entry


def exception_rows(kind: str, *, include_inactive: bool = False) -> QuerySet:
    rows = KINDS[kind].objects.filter(is_exception=True)
    return rows if include_inactive else rows.filter(is_active=True)


def register(
    kind: str,
    now: datetime,
    *,
    status: str | None = None,
    scope: str | None = None,
    target_id: str | None = None,
    include_inactive: bool = False,
) -> list[dict]:
    rows = exception_rows(kind, include_inactive=include_inactive).order_by("scope", "target_id", "-id")
    if scope:
        rows = rows.filter(scope=scope)
    if target_id:
        rows = rows.filter(target_id=target_id)
    entries = [exception_entry(r, kind, now) for r in rows]
    return [e for e in entries if e["status"] == status] if status else entries


def review_queue(
    now: datetime, *, within_days: int = 7, kinds: tuple[str, ...] = ("policy", "dq")
) -> list[dict]:
    """Exceptions that need a person: proposals awaiting review, and reviews overdue or due within
    `within_days`. Most urgent first: overdue, then by due date, then proposals by age."""
    horizon = now + timedelta(days=within_days)
    queue = []
    for kind in kinds:
        for row in exception_rows(kind):
            live = row.live_exception_status(now)
            due = row.review_due_at
            if live not in (ExceptionStatus.PROPOSED, ExceptionStatus.APPROVED):
                continue
            if due is not None and due < now:
                state = "overdue"
            elif due is not None and due <= horizon:
                state = "due_soon"
            elif live == ExceptionStatus.PROPOSED:
                state = "awaiting_review"
            else:
                continue
            queue.append({**exception_entry(row, kind, now), "due_state": state})
    rank = {"overdue": 0, "due_soon": 1, "awaiting_review": 2}
    far = now + timedelta(days=36500)
    return sorted(
        queue, key=lambda e: (rank[e["due_state"]], e["review_due_at"] or far, e["proposed_at"] or far)
    )
