"""Audited writes to runbook governance (scope is always `pipeline`)."""

from django.utils import timezone

from ..choices import AuditAction, RunbookState, Scope
from ..errors import NotFound
from ..models import RunbookAuditEvent, RunbookGovernance
from ..write_scope import action
from ._common import Actor, actor_name, check_choice, clean_target, record


@action
def upsert_runbook_governance(
    pipeline_id: str,
    *,
    actor: Actor,
    state: str | None = None,
    owner: str | None = None,
    notes: str | None = None,
    reason: str = "",
) -> RunbookGovernance:
    """Create or update a pipeline's runbook governance; arguments left as None keep their value."""
    actor = actor_name(actor)
    _, pipeline_id = clean_target(Scope.PIPELINE, pipeline_id)
    if state is not None:
        check_choice("state", state, RunbookState.values)
    changes = {k: v for k, v in {"state": state, "owner": owner, "notes": notes}.items() if v is not None}
    now = timezone.now()
    row = RunbookGovernance.objects.select_for_update().filter(pipeline_id=pipeline_id).first()
    if row is None:
        row, old, action = (
            RunbookGovernance(pipeline_id=pipeline_id, created_at=now),
            None,
            AuditAction.ASSIGN,
        )
    elif all(getattr(row, k) == v for k, v in changes.items()):
        return row
    else:
        old, action = row.snapshot(), AuditAction.UPDATE
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_by, row.updated_at = actor, now
    row.save()
    record(
        RunbookAuditEvent,
        action,
        scope=Scope.PIPELINE,
        target_id=pipeline_id,
        actor=actor,
        reason=reason,
        old=old,
        new=row.snapshot(),
        at=now,
    )
    return row


@action
def remove_runbook_governance(pipeline_id: str, *, actor: Actor, reason: str = "") -> None:
    """Forget a pipeline's runbook governance (its state reads as `none` again); the history stays."""
    actor = actor_name(actor)
    _, pipeline_id = clean_target(Scope.PIPELINE, pipeline_id)
    row = RunbookGovernance.objects.select_for_update().filter(pipeline_id=pipeline_id).first()
    if row is None:
        raise NotFound(f"No runbook governance for pipeline {pipeline_id!r}.", {"pipeline_id": pipeline_id})
    old = row.snapshot()
    row.delete()
    record(
        RunbookAuditEvent,
        AuditAction.REMOVE,
        scope=Scope.PIPELINE,
        target_id=pipeline_id,
        actor=actor,
        reason=reason,
        old=old,
    )
