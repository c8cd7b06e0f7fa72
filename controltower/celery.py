"""The Celery app. Broker and schedules come from settings (see CELERY_* there)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controltower.settings")

app = Celery("controltower")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="controltower.ping", acks_late=True)
def ping(value: str = "pong") -> str:
    """Round-trip probe used by /health-adjacent tests and operators."""
    return value
