"""The expiry job: scheduled in the database, records expirations once, as system:<task>."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from governance_app import actions
from governance_app.kinds import DQ
from governance_app.models import DQAuditEvent, DQStandard
from governance_app.tasks import EXPIRE_TASK, expire_exceptions

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_expiry_job_is_scheduled_hourly():
    task = PeriodicTask.objects.get(task=EXPIRE_TASK)
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "hours")


def test_task_expires_dq_exceptions_with_audit():
    with time_machine.travel(T0, tick=False):
        actions.propose_exception(
            DQ, "team", "t", actor="gina", reason="r", expires_at=T0 + timedelta(days=1)
        )
        actions.review_exception(DQ, "team", "t", "approve", actor="gus")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        result = expire_exceptions.apply().get()
        again = expire_exceptions.apply().get()
    assert result == {"policy": 0, "dq": 1} and again == {"policy": 0, "dq": 0}
    assert DQStandard.objects.get().exception_status == "expired"
    event = DQAuditEvent.objects.get(action="exception_expire")
    assert event.changed_by == "system:expire_exceptions" and event.request_id.startswith("task:")
