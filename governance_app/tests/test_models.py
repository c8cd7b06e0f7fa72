"""The store's guarantees hold in the database itself: audit rows are append-only and an exception
cannot be reviewed by its proposer, whatever path the write takes."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from governance_app.audit_triggers import AUDIT_TABLES
from governance_app.errors import AppendOnlyViolation
from governance_app.models import (
    DQAuditEvent,
    DQStandard,
    PolicyAssignment,
    PolicyAuditEvent,
    RunbookAuditEvent,
)
from governance_app.write_scope import acting

pytestmark = pytest.mark.django_db
AUDIT_MODELS = [PolicyAuditEvent, DQAuditEvent, RunbookAuditEvent]


@pytest.fixture(autouse=True)
def writes_as_an_action():
    """These tests write rows the actions would refuse, to show the database refuses them too."""
    with acting():
        yield


def _event(model):
    return model.objects.create(
        action="assign", scope="pipeline", target_id="p1", changed_by="gina", reason="r"
    )


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m.__name__)
def test_sql_update_of_an_audit_row_fails_in_the_database(model):
    event = _event(model)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {model._meta.db_table} SET reason = 'rewritten' WHERE id = %s", [event.pk]
            )
    assert model.objects.get(pk=event.pk).reason == "r"


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m.__name__)
def test_sql_delete_of_an_audit_row_fails_in_the_database(model):
    event = _event(model)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [event.pk])
    assert model.objects.filter(pk=event.pk).exists()


def test_every_audit_table_has_its_trigger():
    assert {m._meta.db_table for m in AUDIT_MODELS} == set(AUDIT_TABLES)


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m.__name__)
def test_orm_refuses_to_update_or_delete_audit_rows(model):
    event = _event(model)
    with pytest.raises(AppendOnlyViolation):
        model.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyViolation):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    event.reason = "x"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    assert model.objects.get(pk=event.pk).reason == "r"


@pytest.mark.parametrize("model", [PolicyAssignment, DQStandard], ids=lambda m: m.__name__)
def test_database_refuses_a_review_by_the_proposer(model):
    extra = {"profile": "relaxed"} if model is PolicyAssignment else {"max_failures_7d": 5}
    row = model.objects.create(
        scope="pipeline",
        target_id="p1",
        is_exception=True,
        exception_status="proposed",
        proposed_by="gina",
        exception_expires_at=timezone.now() + timedelta(days=30),
        **extra,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(
            exception_reviewer=F("proposed_by"), exception_status="approved"
        )
    model.objects.filter(pk=row.pk).update(exception_reviewer="gus", exception_status="approved")
    row.refresh_from_db()
    assert row.exception_approved is True


def test_one_active_assignment_per_scope_and_target():
    PolicyAssignment.objects.create(scope="team", target_id="t1", profile="strict")
    PolicyAssignment.objects.create(scope="team", target_id="t1", profile="relaxed", is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyAssignment.objects.create(scope="team", target_id="t1", profile="balanced")


def test_approved_exception_past_expiry_reads_as_expired():
    now = timezone.now()
    row = PolicyAssignment(
        scope="pipeline",
        target_id="p1",
        profile="relaxed",
        is_exception=True,
        exception_status="approved",
        exception_expires_at=now - timedelta(minutes=1),
    )
    assert row.live_exception_status(now) == "expired"
    row.exception_expires_at = now + timedelta(days=1)
    assert row.live_exception_status(now) == "approved"
