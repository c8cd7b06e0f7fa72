"""DQ standards: write routes per persona, field-wise precedence over the baseline, live evidence
from telemetry with pass / fail / waived, four eyes on DQ exceptions, history."""

from datetime import UTC, timedelta

import pytest
import time_machine

from governance_app import actions
from governance_app.kinds import DQ
from governance_app.models import DQAuditEvent, DQStandard

from .conftest import EXPECTED, NOW, PERSONAS

pytestmark = pytest.mark.django_db
NOW_UTC = NOW.replace(tzinfo=UTC)
UPSERT = {"scope": "team", "target_id": "payments", "max_failures_7d": 2, "reason": "tighten"}


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("persona", PERSONAS)
def test_upsert_per_persona(persona, as_persona):
    response = as_persona(persona).post("/api/dq/standards/upsert", UPSERT, format="json")
    assert response.status_code == EXPECTED[persona]
    assert DQStandard.objects.exists() == (EXPECTED[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_per_persona(persona, as_persona):
    actions.assign(DQ, "team", "payments", {"max_failures_7d": 2}, actor="seed")
    response = as_persona(persona).post(
        "/api/dq/standards/remove", {"scope": "team", "target_id": "payments"}, format="json"
    )
    assert response.status_code == EXPECTED[persona]
    assert DQStandard.objects.active().exists() == (EXPECTED[persona] != 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_exception_review_per_persona(persona, as_persona):
    with time_machine.travel(NOW_UTC, tick=False):
        actions.propose_exception(
            DQ, "team", "payments", actor="seed", reason="r", expires_at=NOW_UTC + timedelta(days=2)
        )
        response = as_persona(persona).post(
            "/api/dq/exceptions/review",
            {"scope": "team", "target_id": "payments", "decision": "reject"},
            format="json",
        )
    assert response.status_code == EXPECTED[persona]
    assert DQStandard.objects.get().exception_status == (
        "rejected" if EXPECTED[persona] == 200 else "proposed"
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({**UPSERT, "scope": "org"}, "scope"),
        ({**UPSERT, "max_breach_ratio": 1.5}, "max_breach_ratio"),
        ({**UPSERT, "max_failures_7d": -2}, "max_failures_7d"),
        ({**UPSERT, "max_failures_7d": "lots"}, "max_failures_7d"),
        (
            {**UPSERT, "max_failures_7d": 22001765675600900521984},
            "max_failures_7d",
        ),  # past any integer column
        ({**UPSERT, "runbook_required": "sometimes"}, "runbook_required"),
        ({**UPSERT, "is_exception": True, "exception_expires_at": "soon"}, "exception_expires_at"),
        ({**UPSERT, "exception_status": "approved"}, "exception_status"),
    ],
)
def test_invalid_upsert_is_a_400_naming_the_field(body, field, governance_admin, client_for):
    response = client_for(governance_admin).post("/api/dq/standards/upsert", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"]
    assert not DQStandard.objects.exists() and not DQAuditEvent.objects.exists()


def test_standards_list_shows_baseline_and_rows(viewer, client_for):
    actions.assign(DQ, "domain", "finance", {"max_breach_ratio": 0.2}, actor="gina")
    body = client_for(viewer).get("/api/dq/standards").json()
    assert body["baseline"] == {"runbook_required": True, "max_breach_ratio": 0.1, "max_failures_7d": 3}
    assert [
        (i["scope"], i["target_id"], i["max_breach_ratio"], i["max_failures_7d"]) for i in body["items"]
    ] == [("domain", "finance", 0.2, None)]


def by_id(response) -> dict:
    return {i["pipeline_id"]: i for i in response.json()["items"]}


def test_effective_dq_with_live_evidence_and_precedence(telemetry, viewer, client_for):
    telemetry.pipeline("p_ok", team="payments", domain="finance", runbook_url="https://wiki/rb/ok")
    telemetry.pipeline("p_fail", team="payments", domain="finance", runbook_url=None)
    telemetry.pipeline("p_bad_url", team="ledger", domain="finance", runbook_url="see confluence")
    for _ in range(3):
        telemetry.run("p_fail", "FAILED", ago=timedelta(days=1))
    telemetry.run("p_fail", "SUCCESS", ago=timedelta(days=2))
    telemetry.run("p_ok", "SUCCESS", ago=timedelta(days=1))
    telemetry.run("p_fail", "FAILED", ago=timedelta(days=9))  # outside the 7-day window
    actions.assign(DQ, "domain", "finance", {"max_failures_7d": 5, "runbook_required": False}, actor="gina")
    actions.assign(DQ, "team", "payments", {"max_failures_7d": 2}, actor="gina")

    with time_machine.travel(NOW_UTC, tick=False):
        response = client_for(viewer).get("/api/dq/effective")
    items = by_id(response)
    fail = items["p_fail"]
    assert fail["standards"] == {"runbook_required": False, "max_breach_ratio": 0.1, "max_failures_7d": 2}
    assert fail["standard_sources"] == {
        "runbook_required": "domain:finance",
        "max_breach_ratio": "baseline",
        "max_failures_7d": "team:payments",
    }
    assert fail["status"] == "fail" and fail["failing_standards"] == ["max_failures_7d", "max_breach_ratio"]
    assert fail["evidence"]["failures_7d"] == 3 and fail["evidence"]["breach_ratio_7d"] == 0.75
    assert len(fail["remediation_suggestions"]) == 2
    assert set(fail["action_links"]) == {"overview", "governance", "triage", "incidents"}
    assert items["p_ok"]["status"] == "pass"
    assert items["p_bad_url"]["status"] == "pass"  # runbook not required in finance
    summary = response.json()["summary"]
    assert summary["failing_by_team"] == {"payments": 1} and summary["failing_by_domain"] == {"finance": 1}
    assert summary["failing_standards_counts"] == {
        "runbook_required": 0,
        "max_breach_ratio": 1,
        "max_failures_7d": 1,
    }
    assert summary["failing_by_profile"] == {"relaxed": 1}


def test_runbook_required_by_baseline_and_not_waived_by_an_operator(telemetry, viewer, client_for):
    telemetry.pipeline("p_missing", runbook_url=None)
    telemetry.pipeline("p_invalid", runbook_url="ftp//nope")
    telemetry.pipeline("p_waived", runbook_url=None)
    actions.upsert_runbook_governance("p_waived", actor="otto", state="waived")
    with time_machine.travel(NOW_UTC, tick=False):
        items = by_id(client_for(viewer).get("/api/dq/effective"))
    assert items["p_missing"]["failing_standards"] == ["runbook_required"]
    assert items["p_invalid"]["checks"][0]["actual"] == "invalid_format"
    # An operator may mark runbook governance `waived`; it changes no verdict (four eyes waive).
    assert items["p_waived"]["status"] == "fail" and items["p_waived"]["failing_standards"] == [
        "runbook_required"
    ]
    assert items["p_waived"]["checks"][0]["runbook_governance_state"] == "waived"


def test_approved_dq_exception_waives_until_it_expires(
    telemetry, governance_admin, governance_admin_2, client_for
):
    telemetry.pipeline("p1", team="payments", runbook_url=None)
    gina, gus = client_for(governance_admin), client_for(governance_admin_2)
    review = {"scope": "pipeline", "target_id": "p1", "decision": "approve"}
    with time_machine.travel(NOW_UTC, tick=False):
        proposed = gina.post(
            "/api/dq/standards/upsert",
            {
                "scope": "pipeline",
                "target_id": "p1",
                "is_exception": True,
                "exception_reason": "runbook being written",
                "exception_expires_at": iso(NOW_UTC + timedelta(days=2)),
            },
            format="json",
        )
        assert proposed.status_code == 200 and proposed.json()["exception_status"] == "proposed"
        refused = gina.post("/api/dq/exceptions/review", review, format="json")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "four_eyes_violation"
        assert gus.post("/api/dq/exceptions/review", review, format="json").status_code == 200
        waived = by_id(gina.get("/api/dq/effective"))["p1"]
    with time_machine.travel(NOW_UTC + timedelta(days=3), tick=False):
        lapsed = by_id(gina.get("/api/dq/effective"))["p1"]
        register = gina.get("/api/dq/exceptions/register").json()["items"]
    assert (waived["status"], waived["exception_status"]) == ("waived", "approved")
    assert (lapsed["status"], lapsed["exception_status"]) == ("fail", "expired")
    assert register[0]["status"] == "expired" and register[0]["recorded_status"] == "approved"
    history = gina.get("/api/dq/history?target_id=p1").json()["items"]
    assert [(e["action"], e["changed_by"]) for e in history] == [
        ("exception_approve", "gus"),
        ("exception_propose", "gina"),
        ("assign", "gina"),
    ]


def test_effective_dq_filters(telemetry, viewer, client_for):
    telemetry.pipeline("p1", team="a", runbook_url=None)
    telemetry.pipeline("p2", team="b", runbook_url="https://wiki/x")
    client = client_for(viewer)
    with time_machine.travel(NOW_UTC, tick=False):
        assert [i["pipeline_id"] for i in client.get("/api/dq/effective?status=fail").json()["items"]] == [
            "p1"
        ]
        assert [i["pipeline_id"] for i in client.get("/api/dq/effective?team=b").json()["items"]] == ["p2"]
        assert client.get("/api/dq/effective?status=meh").status_code == 400
        assert client.get("/api/dq/effective?standard=runbook_required").json()["total"] == 1


@pytest.mark.parametrize("path", ["/api/dq/upsert", "/api/policies/assign"])
def test_alias_write_paths_answer_with_the_same_rules(path, viewer, governance_admin, client_for):
    body = {**UPSERT, "profile": "strict"}
    assert client_for(viewer).post(path, body, format="json").status_code == 403
    assert client_for(governance_admin).post(path, body, format="json").status_code == 200
