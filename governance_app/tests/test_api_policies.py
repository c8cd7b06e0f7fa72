"""Policy write routes per persona, four eyes through the API, input validation (400 naming the
field, nothing written), history filters, exports, register and review queue."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from governance_app import actions
from governance_app.kinds import DQ, POLICY
from governance_app.models import PolicyAssignment, PolicyAuditEvent

from .conftest import EXPECTED, PERSONAS

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ASSIGN = {"scope": "team", "target_id": "payments", "profile": "strict", "reason": "tier 1"}


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as t:
        yield t


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def proposal(**extra) -> dict:
    return {
        **ASSIGN,
        "profile": "relaxed",
        "is_exception": True,
        "exception_reason": "vendor feed late",
        "exception_expires_at": iso(T0 + timedelta(days=30)),
        "review_due_at": iso(T0 + timedelta(days=14)),
        "waiver_template": "WAIVER-7",
        **extra,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_assign_per_persona(persona, as_persona):
    response = as_persona(persona).post("/api/policies/profiles/assign", ASSIGN, format="json")
    assert response.status_code == EXPECTED[persona], response.content
    assert PolicyAssignment.objects.active().exists() == (EXPECTED[persona] == 200)
    if response.status_code != 200:
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_per_persona(persona, as_persona):
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="seed")
    response = as_persona(persona).post(
        "/api/policies/profiles/remove", {"scope": "team", "target_id": "payments"}, format="json"
    )
    assert response.status_code == EXPECTED[persona]
    assert PolicyAssignment.objects.active().exists() == (EXPECTED[persona] != 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_exception_review_per_persona(persona, as_persona, traveller):
    actions.propose_exception(
        POLICY,
        "team",
        "payments",
        values={"profile": "relaxed"},
        actor="seed",
        reason="r",
        expires_at=T0 + timedelta(days=3),
    )
    body = {"scope": "team", "target_id": "payments", "decision": "approve"}
    response = as_persona(persona).post("/api/policies/exceptions/review", body, format="json")
    assert response.status_code == EXPECTED[persona]
    assert PolicyAssignment.objects.get().exception_status == (
        "approved" if EXPECTED[persona] == 200 else "proposed"
    )


def test_the_audit_row_carries_the_minted_request_id_and_keeps_the_callers_apart(
    governance_admin, client_for
):
    response = client_for(governance_admin).post(
        "/api/policies/profiles/assign", ASSIGN, format="json", HTTP_X_REQUEST_ID="req-assign-1"
    )
    body = response.json()
    assert (body["scope"], body["target_id"], body["profile"], body["is_active"]) == (
        "team",
        "payments",
        "strict",
        True,
    )
    event = PolicyAuditEvent.objects.get()
    assert (event.request_id, event.changed_by, event.reason) == (response["X-Request-ID"], "gina", "tier 1")
    assert event.request_id != "req-assign-1" and event.client_request_id == "req-assign-1"  # not forgeable
    assert response["X-Client-Request-ID"] == "req-assign-1"


def test_four_eyes_through_the_api(governance_admin, governance_admin_2, client_for, traveller):
    gina, gus = client_for(governance_admin), client_for(governance_admin_2)
    proposed = gina.post("/api/policies/profiles/assign", proposal(), format="json")
    assert proposed.status_code == 200 and proposed.json()["exception_status"] == "proposed"

    review = {"scope": "team", "target_id": "payments", "decision": "approve"}
    refused = gina.post("/api/policies/exceptions/review", review, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes_violation"
    assert "cannot also review it" in refused.json()["error"]["message"]
    via_assign = gina.post(
        "/api/policies/profiles/assign",
        {**ASSIGN, "profile": "relaxed", "exception_status": "approved"},
        format="json",
    )
    assert via_assign.status_code == 403
    assert PolicyAssignment.objects.get().exception_status == "proposed"

    approved = gus.post("/api/policies/exceptions/review", {**review, "reason": "ok"}, format="json")
    assert approved.status_code == 200
    assert (approved.json()["exception_status"], approved.json()["exception_reviewer"]) == ("approved", "gus")
    history = gus.get("/api/policies/history?target_id=payments").json()["items"]
    assert [(e["action"], e["changed_by"]) for e in history] == [
        ("exception_approve", "gus"),
        ("exception_propose", "gina"),
        ("assign", "gina"),
    ]


def test_reviewing_through_assign_by_a_second_admin(
    governance_admin, governance_admin_2, client_for, traveller
):
    client_for(governance_admin).post("/api/policies/profiles/assign", proposal(), format="json")
    response = client_for(governance_admin_2).post(
        "/api/policies/profiles/assign",
        {**ASSIGN, "profile": "relaxed", "exception_status": "rejected"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["exception_status"] == "rejected"


@pytest.mark.parametrize(
    "body, field",
    [
        ({**ASSIGN, "scope": "planet"}, "scope"),
        ({**ASSIGN, "profile": "lenient"}, "profile"),
        ({k: v for k, v in ASSIGN.items() if k != "target_id"}, "target_id"),
        (proposal(exception_status="expired"), "exception_status"),
        (proposal(exception_status="maybe"), "exception_status"),
        (proposal(exception_expires_at="next tuesday"), "exception_expires_at"),
        (proposal(exception_expires_at=iso(T0 - timedelta(days=1))), "exception_expires_at"),
        (proposal(review_due_at=iso(T0 + timedelta(days=60))), "review_due_at"),
        (proposal(review_due_at="2026-13-45"), "review_due_at"),
        (proposal(exception_expires_at=None), "exception_expires_at"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field_and_writes_nothing(
    body, field, governance_admin, client_for, traveller
):
    response = client_for(governance_admin).post("/api/policies/profiles/assign", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["details"]["fields"] and error["message"].startswith(field)
    assert not PolicyAssignment.objects.exists() and not PolicyAuditEvent.objects.exists()


def test_review_without_proposal_is_409_and_unknown_target_404(governance_admin_2, client_for):
    client = client_for(governance_admin_2)
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina")
    review = {"scope": "team", "target_id": "payments", "decision": "approve"}
    assert client.post("/api/policies/exceptions/review", review, format="json").status_code == 409
    missing = client.post(
        "/api/policies/profiles/remove", {"scope": "team", "target_id": "nobody"}, format="json"
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.post("/api/policies/exceptions/review", {**review, "decision": "shrug"}, format="json")
    assert bad.status_code == 400 and "decision" in bad.json()["error"]["details"]["fields"]


def test_profiles_lists_thresholds_and_assignments(viewer, client_for):
    actions.assign(POLICY, "domain", "finance", {"profile": "balanced"}, actor="gina")
    body = client_for(viewer).get("/api/policies/profiles").json()
    assert [p["profile"] for p in body["items"]] == ["strict", "balanced", "relaxed"]
    assert body["items"][0]["thresholds"] == {
        "freshness_sla_minutes": 60,
        "max_duration_minutes": 30,
        "max_breach_ratio": 0.02,
    }
    assert body["recommended_by_criticality"]["critical"] == "strict"
    assert [(a["scope"], a["target_id"], a["profile"]) for a in body["assignments"]] == [
        ("domain", "finance", "balanced")
    ]


def test_reads_need_login_unless_public(anon_client, settings):
    assert anon_client.get("/api/policies/profiles").status_code == 401
    settings.CT_PUBLIC_READ = True
    assert anon_client.get("/api/policies/profiles").status_code == 200
    assert anon_client.post("/api/policies/profiles/assign", ASSIGN, format="json").status_code == 401


def _seed_history():
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina", reason="tier 1")
    actions.assign(
        POLICY, "team", "payments", {"profile": "balanced"}, actor="gus", reason="relax, with, commas"
    )
    actions.assign(POLICY, "domain", "finance", {"profile": "relaxed"}, actor="gina")
    actions.remove(POLICY, "domain", "finance", actor="gina")


def test_history_filters_and_pagination(viewer, client_for):
    _seed_history()
    client = client_for(viewer)
    everything = client.get("/api/policies/history").json()
    assert everything["total"] == 4 and [e["action"] for e in everything["items"]] == [
        "remove",
        "assign",
        "update",
        "assign",
    ]
    assert client.get("/api/policies/history?action=update").json()["total"] == 1
    assert client.get("/api/policies/history?scope=domain").json()["total"] == 2
    assert client.get("/api/policies/history?target=payments&changed_by=gina").json()["total"] == 1
    page = client.get("/api/policies/history?limit=1&offset=1").json()
    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (4, 1, 1, 1)
    for query, parameter in (
        ("action=rewrite", "action"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("scope=team&scope=domain", "scope"),
        ("until=", "until"),
        ("action=%20", "action"),
    ):
        bad = client.get(f"/api/policies/history?{query}")
        assert bad.status_code == 400 and bad.json()["error"]["details"]["parameter"] == parameter


HISTORY_COLUMNS = [
    "id",
    "changed_at",
    "action",
    "scope",
    "target_id",
    "changed_by",
    "reason",
    "request_id",
    "client_request_id",
    "old_value",
    "new_value",
]


def test_history_export_as_csv_and_json(viewer, client_for):
    _seed_history()
    client = client_for(viewer)
    as_csv = client.get("/api/policies/history/export?export_format=csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert "attachment" in as_csv["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert list(rows[0].keys()) == HISTORY_COLUMNS and len(rows) == 4
    update = next(r for r in rows if r["action"] == "update")
    assert update["reason"] == "relax, with, commas"
    assert (
        json.loads(update["old_value"])["profile"] == "strict"
        and json.loads(update["new_value"])["profile"] == "balanced"
    )

    as_json = client.get("/api/policies/history/export?export_format=json&scope=team").json()
    assert as_json["columns"] == HISTORY_COLUMNS and as_json["total"] == 2
    assert client.get("/api/policies/history/export?format=csv").content.decode().startswith("id,changed_at")
    assert client.get("/api/policies/history/export", HTTP_ACCEPT="text/csv")["Content-Type"].startswith(
        "text/csv"
    )
    bad = client.get("/api/policies/history/export?export_format=xml")
    assert bad.status_code == 400 and bad.json()["error"]["details"]["parameter"] == "export_format"


def test_register_and_review_queue(viewer, client_for):
    with time_machine.travel(T0, tick=False):
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p_wait",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=90),
        )
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p_due",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=90),
            review_due_at=T0 + timedelta(days=12),
        )
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p_over",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=90),
            review_due_at=T0 + timedelta(days=2),
        )
        actions.propose_exception(
            POLICY,
            "pipeline",
            "p_exp",
            values={"profile": "relaxed"},
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=3),
        )
        for pid in ("p_due", "p_over", "p_exp"):
            actions.review_exception(POLICY, "pipeline", pid, "approve", actor="gus")
        actions.assign(DQ, "team", "t", {"max_failures_7d": 1}, actor="gina")
        actions.propose_exception(
            DQ,
            "team",
            "t",
            actor="gina",
            reason="r",
            expires_at=T0 + timedelta(days=9),
            review_due_at=T0 + timedelta(days=8),
        )
    client = client_for(viewer)
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        register = client.get("/api/policies/exceptions/register").json()
        queue = client.get("/api/policies/review-queue").json()
        policy_only = client.get("/api/policies/review-queue?kind=policy&within_days=0").json()
        expired_only = client.get("/api/policies/exceptions/register?status=expired").json()
    assert {e["target_id"]: e["status"] for e in register["items"]} == {
        "p_wait": "proposed",
        "p_due": "approved",
        "p_over": "approved",
        "p_exp": "expired",
    }
    assert register["counts"]["expired"] == 1 and [e["target_id"] for e in expired_only["items"]] == ["p_exp"]
    assert [(e["kind"], e["target_id"], e["due_state"]) for e in queue["items"]] == [
        ("policy", "p_over", "overdue"),
        ("dq", "t", "due_soon"),
        ("policy", "p_due", "due_soon"),
        ("policy", "p_wait", "awaiting_review"),
    ]
    assert [(e["target_id"], e["due_state"]) for e in policy_only["items"]] == [
        ("p_over", "overdue"),
        ("p_wait", "awaiting_review"),
    ]
    assert client.get("/api/policies/review-queue?kind=other").status_code == 400


def test_through_a_control_tier_four_eyes_concern_the_acting_people(
    client_for, traveller, governance_admin, governance_admin_2
):
    from django.contrib.auth.models import Group

    from controltower.api.auth import SERVICE_GROUP
    from testsupport.personas import make_user

    service = make_user("svc-control", "governance_admin")
    service.groups.add(Group.objects.get(name=SERVICE_GROUP))
    tier = client_for(service)
    proposed = tier.post(
        "/api/policies/profiles/assign", proposal(), format="json", HTTP_X_ACTING_USER="gina"
    )
    assert proposed.json()["proposed_by"] == "gina"
    review = {"scope": "team", "target_id": "payments", "decision": "approve"}
    refused = tier.post("/api/policies/exceptions/review", review, format="json", HTTP_X_ACTING_USER="gina")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "four_eyes_violation"
    unknown = tier.post("/api/policies/exceptions/review", review, format="json", HTTP_X_ACTING_USER="nobody")
    assert unknown.status_code == 403 and unknown.json()["error"]["code"] == "acting_user_refused"
    approved = tier.post("/api/policies/exceptions/review", review, format="json", HTTP_X_ACTING_USER="gus")
    assert approved.status_code == 200 and approved.json()["exception_reviewer"] == "gus"
    assert set(PolicyAuditEvent.objects.values_list("changed_by", flat=True)) == {"gina", "gus"}


def test_the_schema_lists_the_documented_write_paths_and_the_short_forms_as_deprecated():
    import yaml
    from django.conf import settings

    paths = yaml.safe_load((settings.BASE_DIR / "schema.yml").read_text())["paths"]
    for verb in ("assign", "remove"):
        documented = paths[f"/api/policies/profiles/{verb}"]["post"]
        short = paths[f"/api/policies/{verb}"]["post"]
        assert not documented.get("deprecated") and short["deprecated"] is True
        assert f"/api/policies/profiles/{verb}" in short["description"]
        assert documented["requestBody"] == short["requestBody"]


def test_an_assignment_cannot_approve_itself_through_review_fields(governance_admin, client_for):
    body = {**ASSIGN, "is_exception": True, "exception_approved": True, "exception_reviewer": "gus"}
    response = client_for(governance_admin).post("/api/policies/profiles/assign", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["details"]["fields"]) == {"exception_approved", "exception_reviewer"}
    assert "exceptions/review" in str(error["details"]["fields"]) and "four eyes" in error["message"]
    assert not PolicyAssignment.objects.exists() and not PolicyAuditEvent.objects.exists()
