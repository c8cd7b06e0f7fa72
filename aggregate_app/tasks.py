"""Celery tasks of the control tier: thin wrappers around aggregate_app.jobs (tests call the jobs
directly). acks_late with bounded retries is safe because every job is idempotent per window."""

from contextlib import contextmanager

from celery import shared_task
from django.db import DatabaseError

from controltower.middleware import current_request_id

from .jobs import anomaly_records, smoke

SMOKE_TASK = "aggregate.scheduled_smoke"
COST_TASK = "aggregate.refresh_cost_anomalies"
RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "max_retries": 3,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


@contextmanager
def as_task(task):
    """Requests and alerts made by the job carry the task id as their request id."""
    token = current_request_id.set(f"task:{task.request.id or 'local'}")
    try:
        yield
    finally:
        current_request_id.reset(token)


@shared_task(name=SMOKE_TASK, bind=True, acks_late=True, soft_time_limit=1200, **RETRY)
def scheduled_smoke(self) -> dict:
    with as_task(self):
        return smoke.run_scheduled_smoke()


@shared_task(name=COST_TASK, bind=True, acks_late=True, soft_time_limit=600, **RETRY)
def refresh_cost_anomalies(self) -> dict:
    with as_task(self):
        return anomaly_records.refresh_cost_anomalies()
