"""Aggregate writes: the caller's role is checked here, the write goes to the sources the caller
names with each source's service token and the acting user, and every source's outcome is reported."""

import pytest

pytestmark = pytest.mark.django_db

ASSIGN = "/api/policies/assign"
ASSIGNED = {"scope": "team", "target_id": "ore", "profile": "strict"}


@pytest.fixture
def two(stub_sources):
    stubs = stub_sources("aws", "azure")
    for name, stub in stubs.items():
        stub.reply(ASSIGN, {**ASSIGNED, "updated_by": "gina", "at": name})
    return stubs


def post(client, path="/api/aggregate/policies/assign", source="both", body=ASSIGNED):
    query = f"?source={source}" if source else ""
    return client.post(path + query, body, format="json")


def test_a_write_to_both_reports_each_source(two, client_for, governance_admin):
    response = post(client_for(governance_admin))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["partial"] is False
    assert body["results"] == {
        "aws": {"ok": True, "status": 200, "body": {**ASSIGNED, "updated_by": "gina", "at": "aws"}},
        "azure": {"ok": True, "status": 200, "body": {**ASSIGNED, "updated_by": "gina", "at": "azure"}},
    }
    for name, stub in two.items():
        (call,) = stub.calls(ASSIGN)
        assert call.method == "POST" and call.json() == ASSIGNED
        assert call.headers["Authorization"] == f"Token {name}-service-token"
        assert call.headers["X-Acting-User"] == "gina"
        assert call.headers["X-Request-ID"]


def test_a_write_goes_only_to_the_named_source(two, client_for, governance_admin):
    response = post(client_for(governance_admin), source="azure")
    assert response.status_code == 200 and list(response.json()["results"]) == ["azure"]
    assert two["aws"].calls(ASSIGN) == []


def test_the_source_may_come_in_the_body(two, client_for, governance_admin):
    response = post(client_for(governance_admin), source=None, body={**ASSIGNED, "source": "aws"})
    assert response.status_code == 200 and list(response.json()["results"]) == ["aws"]
    assert two["aws"].calls(ASSIGN)[0].json()["source"] == "aws"


def test_a_write_needs_a_source(two, client_for, governance_admin):
    response = post(client_for(governance_admin), source=None)
    assert response.status_code == 400
    assert "'source' is required" in response.json()["error"]["message"]
    assert two["aws"].requests == [] and two["azure"].requests == []


def test_a_partial_failure_is_a_207_naming_the_failed_source(two, client_for, governance_admin):
    two["azure"].stop()
    response = post(client_for(governance_admin))
    assert response.status_code == 207
    body = response.json()
    assert body["ok"] is False and body["partial"] is True
    assert body["results"]["aws"]["ok"] is True
    assert body["results"]["azure"] == {
        "ok": False,
        "status": None,
        "error": {"code": "connection_error", "kind": "connection_error", "message": "connection refused"},
    }
    assert body["_meta"]["azure_ok"] is False


def test_a_write_no_source_accepted_is_a_502_with_each_outcome(two, client_for, governance_admin):
    two["aws"].reply(ASSIGN, {"error": {"code": "internal_error", "message": "boom"}}, status=500)
    two["azure"].stop()
    response = post(client_for(governance_admin))
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "sources_unavailable"
    assert error["details"]["results"]["aws"]["error"]["message"] == "boom"
    assert error["details"]["results"]["azure"]["error"]["kind"] == "connection_error"
    assert len(two["aws"].calls(ASSIGN)) == 1  # a failed write is not retried


def test_a_write_every_source_refuses_is_their_4xx(two, client_for, governance_admin):
    refusal = {
        "error": {"code": "invalid_request", "message": "scope must be one of pipeline, team, domain."}
    }
    for stub in two.values():
        stub.reply(ASSIGN, refusal, status=400)
    response = post(client_for(governance_admin), body={**ASSIGNED, "scope": "planet"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith("aws: scope must be")
    assert set(error["details"]["results"]) == {"aws", "azure"}


@pytest.mark.parametrize(
    "persona, status",
    [("viewer", 403), ("operator", 403), ("governance_admin", 200), ("governance_admin_2", 200)],
)
def test_governance_writes_need_governance_admin_here(request, two, client_for, persona, status):
    response = post(client_for(request.getfixturevalue(persona)))
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["message"] == "This action needs the 'governance_admin' role."
        assert two["aws"].requests == []  # refused before any source was called


@pytest.mark.parametrize("persona, status", [("viewer", 403), ("operator", 200), ("governance_admin", 200)])
def test_lineage_ingest_needs_an_operator(request, two, client_for, persona, status):
    for stub in two.values():
        stub.reply("/api/v1/lineage", {"accepted": 1}, status=201)
    response = client_for(request.getfixturevalue(persona)).post(
        "/api/aggregate/v1/lineage?source=aws", {"eventType": "COMPLETE"}, format="json"
    )
    assert response.status_code == (201 if status == 200 else status)


def test_anonymous_writes_are_refused(two, anon_client):
    assert post(anon_client).status_code == 401


def test_every_write_route_has_a_role(two):
    from django.urls import get_resolver

    from aggregate_app.api.views import WriteView

    writes = {
        str(p.pattern): p.callback.view_class.write_role
        for p in get_resolver("aggregate_app.api.urls").url_patterns
        if issubclass(p.callback.view_class, WriteView)
    }
    assert writes == {
        "api/aggregate/v1/lineage": "operator",
        "api/aggregate/v1/lineage/batch": "operator",
        "api/aggregate/runbooks/governance/upsert": "operator",
        "api/aggregate/runbooks/governance/remove": "operator",
        "api/aggregate/policies/exceptions/review": "governance_admin",
        "api/aggregate/policies/profiles/assign": "governance_admin",
        "api/aggregate/policies/profiles/remove": "governance_admin",
        "api/aggregate/policies/assign": "governance_admin",
        "api/aggregate/policies/remove": "governance_admin",
        "api/aggregate/dq/standards/upsert": "governance_admin",
        "api/aggregate/dq/standards/remove": "governance_admin",
        "api/aggregate/dq/exceptions/review": "governance_admin",
    }
