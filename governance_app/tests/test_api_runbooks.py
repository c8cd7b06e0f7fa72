"""Runbook catalog (telemetry URLs joined with governance state, filters, coverage) and runbook
governance writes, which operators may make."""

import pytest

from governance_app import actions
from governance_app.models import RunbookAuditEvent, RunbookGovernance

from .conftest import PERSONAS

pytestmark = pytest.mark.django_db
RUNBOOK_EXPECTED = {
    "anonymous": 401,
    "viewer": 403,
    "operator": 200,
    "governance_admin": 200,
    "governance_admin_2": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_upsert_per_persona(persona, as_persona):
    body = {"pipeline_id": "p1", "state": "open", "owner": "ops@example.com", "reason": "no runbook"}
    response = as_persona(persona).post("/api/runbooks/governance/upsert", body, format="json")
    assert response.status_code == RUNBOOK_EXPECTED[persona]
    assert RunbookGovernance.objects.exists() == (RUNBOOK_EXPECTED[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_per_persona(persona, as_persona):
    actions.upsert_runbook_governance("p1", actor="seed", state="open")
    response = as_persona(persona).post(
        "/api/runbooks/governance/remove", {"pipeline_id": "p1"}, format="json"
    )
    assert response.status_code == RUNBOOK_EXPECTED[persona]
    assert RunbookGovernance.objects.exists() == (RUNBOOK_EXPECTED[persona] != 200)


def test_upsert_validates_and_writes_nothing_on_error(operator, client_for):
    client = client_for(operator)
    bad = client.post(
        "/api/runbooks/governance/upsert", {"pipeline_id": "p1", "state": "finished"}, format="json"
    )
    assert bad.status_code == 400 and "state" in bad.json()["error"]["details"]["fields"]
    missing = client.post("/api/runbooks/governance/upsert", {"state": "open"}, format="json")
    assert missing.status_code == 400 and "pipeline_id" in missing.json()["error"]["details"]["fields"]
    assert (
        client.post("/api/runbooks/governance/remove", {"pipeline_id": "nope"}, format="json").status_code
        == 404
    )
    assert not RunbookGovernance.objects.exists() and not RunbookAuditEvent.objects.exists()


def test_partial_upsert_keeps_other_fields_and_history_records_both(operator, viewer, client_for):
    client = client_for(operator)
    client.post(
        "/api/runbooks/governance/upsert",
        {"pipeline_id": "p1", "state": "open", "owner": "ana"},
        format="json",
    )
    body = client.post(
        "/api/runbooks/governance/upsert", {"pipeline_id": "p1", "state": "in_progress"}, format="json"
    ).json()
    assert (body["state"], body["owner"], body["updated_by"]) == ("in_progress", "ana", "otto")
    listing = client_for(viewer).get("/api/runbooks/governance?state=in_progress").json()
    assert listing["total"] == 1 and listing["counts_by_state"] == {"in_progress": 1}
    assert client_for(viewer).get("/api/runbooks/governance?state=closed").status_code == 400
    history = client_for(viewer).get("/api/runbooks/governance/history?target_id=p1").json()["items"]
    assert [e["action"] for e in history] == ["update", "assign"]


def test_catalog_joins_telemetry_with_governance_and_reports_coverage(telemetry, viewer, client_for):
    telemetry.pipeline(
        "p_ok",
        team="payments",
        domain="finance",
        criticality="critical",
        runbook_url="https://runbooks.example.com/p_ok",
        tags="gold, nightly",
        owner="ana@example.com",
    )
    telemetry.pipeline(
        "p_missing", team="payments", domain="finance", runbook_url=None, owner="bo@example.com"
    )
    telemetry.pipeline(
        "p_bad", team="ledger", domain="finance", runbook_url="wiki/p_bad", owner="bo@example.com"
    )
    telemetry.pipeline("p_gone", team="ledger", is_active=False, runbook_url=None)
    actions.upsert_runbook_governance("p_missing", actor="otto", state="in_progress", owner="cy@example.com")
    client = client_for(viewer)

    body = client.get("/api/runbooks").json()
    items = {i["pipeline_id"]: i for i in body["items"]}
    assert set(items) == {"p_ok", "p_missing", "p_bad"}
    assert {k: v["runbook_status"] for k, v in items.items()} == {
        "p_ok": "configured",
        "p_missing": "missing",
        "p_bad": "invalid_format",
    }
    assert items["p_ok"]["tags"] == ["gold", "nightly"] and items["p_ok"]["sla_minutes"] == 120
    assert (items["p_missing"]["governance_state"], items["p_missing"]["governance_owner"]) == (
        "in_progress",
        "cy@example.com",
    )
    assert body["coverage"] == {
        "total": 3,
        "configured": 1,
        "missing": 1,
        "invalid_format": 1,
        "coverage_ratio": 0.3333,
    }

    def ids(query: str) -> list[str]:
        return sorted(i["pipeline_id"] for i in client.get(f"/api/runbooks?{query}").json()["items"])

    assert ids("team=payments") == ["p_missing", "p_ok"]
    assert ids("criticality=critical") == ["p_ok"]
    assert ids("owner=cy@example") == ["p_missing"]
    assert ids("search=nightly") == ["p_ok"]
    assert ids("include_missing=false") == ["p_bad", "p_ok"]
    hidden = client.get("/api/runbooks?include_missing=false").json()
    assert hidden["coverage"]["missing"] == 1  # coverage still counts what the filter hides
    assert client.get("/api/runbooks?include_missing=sometimes").status_code == 400
