"""A governance owner runs the whole workflow by hand in the admin: assign, propose an exception,
a second admin approves (the proposer cannot), and the history shows both."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from governance_app.models import PolicyAssignment, PolicyAuditEvent, RunbookAuditEvent, RunbookGovernance
from testsupport.personas import make_user

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def staff_client(username: str, role: str) -> Client:
    user = make_user(username, role)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gina():
    return staff_client("gina", "governance_admin")


@pytest.fixture
def gus():
    return staff_client("gus", "governance_admin")


def changelist(model: str) -> str:
    return reverse(f"admin:governance_{model}_changelist")


def run_action(client: Client, model: str, action: str, pks: list[int]):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    return client.post(changelist(model), data, follow=True)


@time_machine.travel(T0, tick=False)
def test_whole_exception_workflow_through_the_admin(gina, gus):
    add = reverse("admin:governance_policyassignment_add")
    response = gina.post(
        add,
        {
            "scope": "pipeline",
            "target_id": "p1",
            "profile": "relaxed",
            "reason": "batch window moved",
            "propose_exception": "on",
            "exception_reason": "vendor feed arrives late until March",
            "exception_expires_at_0": "2027-03-01",
            "exception_expires_at_1": "00:00:00",
            "review_due_at_0": "2027-02-01",
            "review_due_at_1": "00:00:00",
            "waiver_template": "WAIVER-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = PolicyAssignment.objects.get()
    assert (row.profile, row.exception_status, row.proposed_by) == ("relaxed", "proposed", "gina")
    assert row.exception_expires_at == datetime(2027, 3, 1, tzinfo=UTC)

    refused = run_action(gina, "policyassignment", "approve_exceptions", [row.pk])
    assert "cannot also review it" in refused.content.decode()
    row.refresh_from_db()
    assert row.exception_status == "proposed"

    approved = run_action(gus, "policyassignment", "approve_exceptions", [row.pk])
    assert "Approved 1 exception(s)." in approved.content.decode()
    row.refresh_from_db()
    assert (row.exception_status, row.exception_reviewer) == ("approved", "gus")

    history = gus.get(changelist("policyauditevent"), {"target_id": "p1"})
    assert history.status_code == 200
    events = list(PolicyAuditEvent.objects.order_by("id").values_list("action", "changed_by"))
    assert events == [("assign", "gina"), ("exception_propose", "gina"), ("exception_approve", "gus")]
    page = history.content.decode()
    assert page.count("exception_approve") >= 1 and "gina" in page and "gus" in page


@time_machine.travel(T0, tick=False)
def test_admin_form_refuses_a_past_expiry_and_writes_nothing(gina):
    response = gina.post(
        reverse("admin:governance_policyassignment_add"),
        {
            "scope": "team",
            "target_id": "payments",
            "profile": "relaxed",
            "propose_exception": "on",
            "exception_reason": "why",
            "exception_expires_at_0": "2020-01-01",
            "exception_expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not PolicyAssignment.objects.exists() and not PolicyAuditEvent.objects.exists()


def test_audit_events_are_read_only_in_the_admin(gina):
    gina.post(
        reverse("admin:governance_policyassignment_add"),
        {"scope": "team", "target_id": "payments", "profile": "strict", "reason": "tier 1"},
    )
    event = PolicyAuditEvent.objects.get()
    change_url = reverse("admin:governance_policyauditevent_change", args=[event.pk])
    page = gina.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert gina.post(change_url, {"reason": "rewritten"}).status_code == 403
    assert gina.get(reverse("admin:governance_policyauditevent_add")).status_code == 403
    assert (
        gina.post(
            reverse("admin:governance_policyauditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.reason == "tier 1"


def test_removal_in_the_admin_deactivates_with_history(gina):
    gina.post(
        reverse("admin:governance_policyassignment_add"),
        {"scope": "team", "target_id": "payments", "profile": "strict"},
    )
    row = PolicyAssignment.objects.get()
    run_action(gina, "policyassignment", "remove_assignments", [row.pk])
    row.refresh_from_db()
    assert not row.is_active
    assert list(PolicyAuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "assign",
        "remove",
    ]


def test_operator_edits_runbook_governance_in_the_admin_with_audit():
    otto = staff_client("otto", "operator")
    response = otto.post(
        reverse("admin:governance_runbookgovernance_add"),
        {"pipeline_id": "p7", "state": "open", "owner": "ops@example.com", "notes": "write it"},
    )
    assert response.status_code == 302
    assert RunbookGovernance.objects.get().state == "open"
    assert RunbookAuditEvent.objects.get().changed_by == "otto"
    assert otto.get(reverse("admin:governance_policyassignment_add")).status_code == 403


def test_viewer_staff_can_read_but_not_write(gina):
    vera = staff_client("vera", "viewer")
    assert vera.get(changelist("policyassignment")).status_code == 200
    assert vera.get(reverse("admin:governance_policyassignment_add")).status_code == 403


@time_machine.travel(T0, tick=False)
def test_every_governance_admin_page_renders_with_data(gina, gus):
    from datetime import timedelta

    from governance_app import actions
    from governance_app.kinds import DQ, POLICY

    actions.assign(POLICY, "pipeline", "p1", {"profile": "relaxed"}, actor="gina")
    actions.propose_exception(
        POLICY, "pipeline", "p1", actor="gina", reason="r", expires_at=T0 + timedelta(days=3)
    )
    actions.assign(DQ, "team", "t1", {"max_failures_7d": 2}, actor="gina")
    actions.upsert_runbook_governance("p1", actor="otto", state="open")
    models = [
        "policyassignment",
        "dqstandard",
        "runbookgovernance",
        "policyauditevent",
        "dqauditevent",
        "runbookauditevent",
    ]
    for model in models:
        listing = gus.get(changelist(model))
        assert listing.status_code == 200, model
    dq = actions.propose_exception(
        DQ, "team", "t1", actor="gina", reason="r", expires_at=T0 + timedelta(days=3)
    )
    refused = run_action(gina, "dqstandard", "approve_exceptions", [dq.pk])
    assert "cannot also review it" in refused.content.decode()
    run_action(gus, "dqstandard", "approve_exceptions", [dq.pk])
    dq.refresh_from_db()
    assert (dq.exception_status, dq.exception_reviewer) == ("approved", "gus")
    assert gus.get(reverse("admin:governance_dqstandard_change", args=[dq.pk])).status_code == 200


def test_a_target_id_with_query_characters_keeps_its_history_link_to_itself(gina):
    import re
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    target = "ore&scope=domain&target_id=finance#x"
    gina.post(
        reverse("admin:governance_policyassignment_add"),
        {"scope": "team", "target_id": target, "profile": "strict"},
    )
    page = gina.get(changelist("policyassignment")).content.decode()
    href = unescape(re.search(r'href="([^"]*policyauditevent[^"]*)">history<', page).group(1))
    assert parse_qs(urlsplit(href).query) == {"scope": ["team"], "target_id": [target]}
    assert gina.get(href).status_code == 200
