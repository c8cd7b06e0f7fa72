"""Audited actions: every change writes exactly one audit row in the same transaction, with the
actor, the reason and the request id; refused changes write nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from controltower.middleware import current_request_id
from governance_app import actions
from governance_app.errors import Conflict, FourEyesViolation, InvalidInput, NotFound
from governance_app.kinds import DQ, POLICY
from governance_app.models import (
    DQAuditEvent,
    DQStandard,
    PolicyAssignment,
    PolicyAuditEvent,
    RunbookAuditEvent,
    RunbookGovernance,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def request_id():
    token = current_request_id.set("req-123")
    yield "req-123"
    current_request_id.reset(token)


def test_assign_writes_the_row_and_its_audit_event(request_id):
    row = actions.assign(
        POLICY, "team", "payments", {"profile": "strict"}, actor="gina", reason="critical team"
    )
    event = PolicyAuditEvent.objects.get()
    assert (row.profile, row.created_by, row.is_active) == ("strict", "gina", True)
    assert (event.action, event.scope, event.target_id, event.changed_by) == (
        "assign",
        "team",
        "payments",
        "gina",
    )
    assert (event.reason, event.request_id, event.old_value) == ("critical team", "req-123", None)
    assert event.new_value["profile"] == "strict"


def test_reassigning_the_same_profile_changes_nothing():
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina")
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina")
    assert PolicyAuditEvent.objects.count() == 1


def test_changing_the_profile_updates_and_records_old_and_new():
    actions.assign(POLICY, "domain", "finance", {"profile": "strict"}, actor="gina")
    actions.assign(POLICY, "domain", "finance", {"profile": "relaxed"}, actor="gus", reason="batch only")
    update = PolicyAuditEvent.objects.filter(action="update").get()
    assert (update.old_value["profile"], update.new_value["profile"], update.changed_by) == (
        "strict",
        "relaxed",
        "gus",
    )
    assert PolicyAssignment.objects.get().profile == "relaxed"


def test_remove_deactivates_and_a_second_remove_is_not_found():
    actions.assign(POLICY, "pipeline", "p1", {"profile": "balanced"}, actor="gina")
    actions.remove(POLICY, "pipeline", "p1", actor="gina", reason="retired")
    assert not PolicyAssignment.objects.get().is_active
    assert PolicyAuditEvent.objects.filter(action="remove", new_value__isnull=True).count() == 1
    with pytest.raises(NotFound):
        actions.remove(POLICY, "pipeline", "p1", actor="gina")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"scope": "galaxy"}, "scope"),
        ({"profile": "lenient"}, "profile"),
        ({"target_id": "  "}, "target_id"),
    ],
)
def test_invalid_assignment_input_names_the_field_and_writes_nothing(kwargs, field):
    args = {"scope": "team", "target_id": "t", "profile": "strict", **kwargs}
    with pytest.raises(InvalidInput) as err:
        actions.assign(POLICY, args["scope"], args["target_id"], {"profile": args["profile"]}, actor="gina")
    assert err.value.details["field"] == field
    assert not PolicyAssignment.objects.exists() and not PolicyAuditEvent.objects.exists()


@time_machine.travel(T0, tick=False)
def test_proposal_with_past_expiry_is_refused_and_writes_nothing():
    with pytest.raises(InvalidInput) as err:
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p1",
            values={"profile": "relaxed"},
            actor="gina",
            reason="why",
            expires_at=T0 - timedelta(days=1),
        )
    assert err.value.details["field"] == "exception_expires_at"
    assert not PolicyAssignment.objects.exists() and not PolicyAuditEvent.objects.exists()


@time_machine.travel(T0, tick=False)
def test_four_eyes_proposer_cannot_review_second_admin_can():
    actions.propose_exception(
        POLICY,
        "pipeline",
        "p1",
        values={"profile": "relaxed"},
        actor="gina",
        reason="migration",
        expires_at=T0 + timedelta(days=30),
    )
    with pytest.raises(FourEyesViolation, match="four eyes"):
        actions.review_exception(POLICY, "pipeline", "p1", "approve", actor="gina")
    assert PolicyAssignment.objects.get().exception_status == "proposed"
    row = actions.review_exception(
        POLICY, "pipeline", "p1", "approve", actor="gus", reason="ok until cut-over"
    )
    assert (row.exception_status, row.exception_reviewer, row.exception_approved) == ("approved", "gus", True)
    actions_seen = list(PolicyAuditEvent.objects.order_by("id").values_list("action", "changed_by"))
    assert actions_seen == [("assign", "gina"), ("exception_propose", "gina"), ("exception_approve", "gus")]


@time_machine.travel(T0, tick=False)
def test_reviewing_without_a_proposal_conflicts():
    actions.assign(POLICY, "team", "t", {"profile": "strict"}, actor="gina")
    with pytest.raises(Conflict):
        actions.review_exception(POLICY, "team", "t", "approve", actor="gus")


def test_approving_a_proposal_whose_expiry_passed_conflicts():
    with time_machine.travel(T0, tick=False):
        actions.propose_exception(
            POLICY,
            "team",
            "t",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(hours=1),
        )
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        with pytest.raises(Conflict, match="expiry"):
            actions.review_exception(POLICY, "team", "t", "approve", actor="gus")
        actions.review_exception(POLICY, "team", "t", "reject", actor="gus")
    assert PolicyAssignment.objects.get().exception_status == "rejected"


def test_changing_the_profile_voids_the_exception():
    with time_machine.travel(T0, tick=False):
        actions.propose_exception(
            POLICY,
            "team",
            "t",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=3),
        )
        row = actions.assign(POLICY, "team", "t", {"profile": "balanced"}, actor="gina")
    assert (row.is_exception, row.exception_status, row.proposed_by) == (False, "none", "")


def test_expiry_job_records_the_transition_once():
    with time_machine.travel(T0, tick=False):
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p1",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=7),
        )
        actions.review_exception(POLICY, "pipeline", "p1", "approve", actor="gus")
        assert actions.expire_exceptions() == {"policy": 0, "dq": 0}
    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        assert actions.expire_exceptions() == {"policy": 1, "dq": 0}
        assert actions.expire_exceptions() == {"policy": 0, "dq": 0}
    row = PolicyAssignment.objects.get()
    event = PolicyAuditEvent.objects.get(action="exception_expire")
    assert (row.exception_status, row.exception_approved) == ("expired", False)
    assert event.changed_by == "system:expire_exceptions"
    assert (event.old_value["exception_status"], event.new_value["exception_status"]) == (
        "approved",
        "expired",
    )


def test_dq_upsert_keeps_unsent_values_and_none_means_inherit():
    actions.assign(DQ, "team", "t", {"max_failures_7d": 5, "runbook_required": True}, actor="gina")
    row = actions.assign(DQ, "team", "t", {"max_breach_ratio": 0.2, "runbook_required": None}, actor="gina")
    assert (row.max_failures_7d, row.max_breach_ratio, row.runbook_required) == (5, 0.2, None)
    assert list(DQAuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["assign", "update"]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"max_breach_ratio": 1.5}, "max_breach_ratio"),
        ({"max_failures_7d": -1}, "max_failures_7d"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_dq_invalid_values_write_nothing(values, field):
    with pytest.raises(InvalidInput) as err:
        actions.assign(DQ, "team", "t", values, actor="gina")
    assert err.value.details["field"] == field
    assert not DQStandard.objects.exists() and not DQAuditEvent.objects.exists()


@time_machine.travel(T0, tick=False)
def test_dq_exception_on_a_target_without_standard_creates_its_row_and_needs_four_eyes():
    actions.propose_exception(
        DQ, "pipeline", "p9", actor="gina", reason="vendor outage", expires_at=T0 + timedelta(days=5)
    )
    with pytest.raises(FourEyesViolation):
        actions.review_exception(DQ, "pipeline", "p9", "approve", actor="gina")
    row = actions.review_exception(DQ, "pipeline", "p9", "approve", actor="gus")
    assert row.exception_status == "approved"
    assert list(DQAuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "assign",
        "exception_propose",
        "exception_approve",
    ]


def test_runbook_governance_upsert_and_remove_are_audited():
    actions.upsert_runbook_governance("p1", actor="otto", state="open", owner="ops@example.com")
    actions.upsert_runbook_governance("p1", actor="otto", state="in_progress")
    actions.remove_runbook_governance("p1", actor="otto", reason="done elsewhere")
    assert not RunbookGovernance.objects.exists()
    rows = list(RunbookAuditEvent.objects.order_by("id").values_list("action", "old_value", "new_value"))
    assert [r[0] for r in rows] == ["assign", "update", "remove"]
    assert rows[1][1]["state"] == "open" and rows[1][2]["state"] == "in_progress"
    assert rows[2][1]["owner"] == "ops@example.com" and rows[2][2] is None


def test_runbook_invalid_state_is_refused():
    with pytest.raises(InvalidInput) as err:
        actions.upsert_runbook_governance("p1", actor="otto", state="done")
    assert err.value.details["field"] == "state"
    assert not RunbookAuditEvent.objects.exists()


def test_actor_may_be_a_user(governance_admin):
    actions.assign(POLICY, "team", "t", {"profile": "strict"}, actor=governance_admin)
    assert PolicyAuditEvent.objects.get().changed_by == governance_admin.username
