"""Celery tasks of alerting: thin wrappers around outbox, actions and evaluation (tests call those
directly). A delivery that failed is re-queued for its next attempt; the minute sweep picks up
anything a broker outage or a dead worker left behind."""

import logging
from datetime import datetime

from celery import shared_task

from . import actions, collect, evaluation, outbox
from .choices import DeliveryStatus
from .models import Notification

log = logging.getLogger(__name__)
DELIVER_TASK = "alerting.deliver_notification"
SWEEP_TASK = "alerting.sweep"
EVALUATE_TASK = "alerting.evaluate"


def enqueue(pk: int, eta: datetime | None = None) -> None:
    """Hand a notification to a worker; a broker outage only delays it until the next sweep."""
    try:
        deliver_notification.apply_async(args=[pk], eta=eta)
    except Exception as exc:
        log.warning("notification %s not queued (%s); the sweep will deliver it", pk, type(exc).__name__)


@shared_task(name=DELIVER_TASK, acks_late=True, soft_time_limit=120)
def deliver_notification(pk: int) -> str:
    status = outbox.deliver(pk)
    if status == DeliveryStatus.FAILED:
        enqueue(pk, Notification.objects.values_list("next_attempt_at", flat=True).get(pk=pk))
    return status


@shared_task(name=SWEEP_TASK, acks_late=True, soft_time_limit=120)
def sweep() -> dict:
    """Every minute: wake expired snoozes, deliver what is due, close what a dead worker left on
    its last attempt."""
    woken = actions.expire_snoozes()
    delivered = [outbox.deliver(pk) for pk in outbox.due()]
    return {
        "snoozes_expired": woken,
        "delivered": sum(s == DeliveryStatus.DELIVERED for s in delivered),
        "gave_up": outbox.give_up_abandoned(),
    }


@shared_task(name=EVALUATE_TASK, acks_late=True, soft_time_limit=300)
def evaluate() -> dict:
    """Every minute, and at once after a failed run is reported: sources to incidents."""
    return evaluation.evaluate(collect.observe(), collect.downstream)
