"""Celery task runs and failures, counted by task name from Celery's signals (in the worker's
processes, and in-process for eagerly run tasks). A worker serves its own /metrics on
CT_WORKER_METRICS_PORT when set: its tasks run in child processes, so it needs
PROMETHEUS_MULTIPROC_DIR to see their counts."""

from celery.signals import task_failure, task_postrun, worker_init
from django.conf import settings

from .metrics import CELERY_TASK_FAILURES, CELERY_TASK_RUNS


def _name(task) -> str:
    return getattr(task, "name", None) or "unknown"


@task_postrun.connect(dispatch_uid="ct-metrics-task-postrun")
def count_run(sender=None, task=None, state=None, **kwargs) -> None:
    CELERY_TASK_RUNS.labels(_name(task or sender), (state or "unknown").lower()).inc()


@task_failure.connect(dispatch_uid="ct-metrics-task-failure")
def count_failure(sender=None, **kwargs) -> None:
    CELERY_TASK_FAILURES.labels(_name(sender)).inc()


@worker_init.connect(dispatch_uid="ct-metrics-worker-server")
def serve_worker_metrics(**kwargs) -> None:
    if settings.CT_WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        from .exposition import registry

        start_http_server(settings.CT_WORKER_METRICS_PORT, registry=registry())
