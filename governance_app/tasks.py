"""Governance jobs (thin Celery wrappers; tests call the actions directly)."""

from celery import shared_task

from controltower.middleware import current_request_id

from . import actions

EXPIRE_TASK = "governance.expire_exceptions"


@shared_task(name=EXPIRE_TASK, bind=True, acks_late=True)
def expire_exceptions(self) -> dict:
    """Record approved exceptions past their expiry as expired (idempotent, safe to retry).
    Audit rows carry the task id as their request id."""
    token = current_request_id.set(f"task:{self.request.id or 'local'}")
    try:
        return actions.expire_exceptions()
    finally:
        current_request_id.reset(token)
