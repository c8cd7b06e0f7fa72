"""Governance rows change only through governance_app.actions, which write the audit row with the
change: an ORM write anywhere else fails and leaves the row as it was."""

import pytest

from governance_app import actions
from governance_app.errors import WriteOutsideActions
from governance_app.kinds import DQ, POLICY
from governance_app.models import (
    DQStandard,
    PolicyAssignment,
    PolicyAuditEvent,
    RunbookAuditEvent,
    RunbookGovernance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina", reason="tier 1")
    actions.assign(DQ, "team", "payments", {"max_failures_7d": 3}, actor="gina")
    actions.upsert_runbook_governance("p1", actor="otto", state="open")


BULK_WRITES = {
    "update": lambda model: model.objects.filter(is_active=True).update(reason="quiet change"),
    "delete": lambda model: model.objects.all().delete(),
    "bulk_create": lambda model: model.objects.bulk_create([model(scope="team", target_id="other")]),
    "bulk_update": lambda model: model.objects.bulk_update(list(model.objects.all()), ["reason"]),
    "create": lambda model: model.objects.create(scope="domain", target_id="finance"),
    "update_or_create": lambda model: model.objects.update_or_create(
        scope="team", target_id="payments", is_active=True, defaults={"reason": "quiet change"}
    ),
}


@pytest.mark.parametrize("write", BULK_WRITES, ids=str)
@pytest.mark.parametrize("model", [PolicyAssignment, DQStandard], ids=lambda m: m.__name__)
def test_an_orm_write_outside_the_actions_is_refused(rows, model, write):
    before = list(model.objects.values())
    with pytest.raises(WriteOutsideActions, match="governance_app.actions"):
        BULK_WRITES[write](model)
    assert list(model.objects.values()) == before


def test_saving_or_deleting_a_row_outside_the_actions_is_refused(rows):
    row = PolicyAssignment.objects.get()
    row.profile = "relaxed"
    with pytest.raises(WriteOutsideActions):
        row.save()
    with pytest.raises(WriteOutsideActions):
        row.delete()
    runbook = RunbookGovernance.objects.get()
    runbook.state = "waived"
    with pytest.raises(WriteOutsideActions):
        runbook.save()
    assert PolicyAssignment.objects.get().profile == "strict"
    assert RunbookGovernance.objects.get().state == "open"


def test_an_audit_row_cannot_be_forged_outside_the_actions(rows):
    for model in (PolicyAuditEvent, RunbookAuditEvent):
        count = model.objects.count()
        with pytest.raises(WriteOutsideActions):
            model.objects.create(action="assign", scope="team", target_id="x", changed_by="mallory")
        assert model.objects.count() == count


def test_the_actions_themselves_still_write_with_their_audit_row(rows):
    actions.remove(POLICY, "team", "payments", actor="gus", reason="reorg")
    assert PolicyAssignment.objects.get().is_active is False
    assert PolicyAuditEvent.objects.values_list("action", flat=True)[0] == "remove"
