"""governance_app/shared_reads.py: the answers built on one evaluation share it while the response
cache may keep an answer, and a change of data shows in the very next request."""

import pytest

from governance_app import actions
from testsupport.telemetry_api import *  # noqa: F403  (fixtures: statements)

pytestmark = pytest.mark.django_db


def telemetry_reads(calls: list[str]) -> int:
    """Statements that read telemetry (not the data version every cached read checks)."""
    return sum(1 for sql in calls if "CT_DATA_VERSION" not in sql)


@pytest.fixture
def estate(telemetry, settings):
    settings.CT_RESPONSE_CACHE_SECONDS = 60
    for pid, url in (("p1", "https://runbooks.example/p1"), ("p2", None)):
        telemetry.pipeline(pid, team="ore", criticality="critical", runbook_url=url)
    return telemetry


def test_posture_scorecards_dq_and_policy_answers_share_one_evaluation(
    estate, viewer, client_for, statements
):
    client = client_for(viewer)
    for path in ("/api/dq/effective", "/api/policies/effective", "/api/governance/posture"):
        assert client.get(path).status_code == 200
    first = telemetry_reads(statements)
    for path in ("/api/scorecards/teams", "/api/runbooks", "/api/dq/effective?status=fail"):
        assert client.get(path).status_code == 200
    assert telemetry_reads(statements) == first  # every answer after the first reads no telemetry again


def test_a_governance_change_shows_in_the_next_answer(estate, viewer, client_for):
    client = client_for(viewer)
    before = client.get("/api/runbooks?search=p2").json()["items"][0]
    assert before["governance_state"] == "none"
    actions.upsert_runbook_governance("p2", actor="ann", state="open")
    after = client.get("/api/runbooks?search=p2").json()["items"][0]
    assert after["governance_state"] == "open"


def test_with_the_cache_off_every_answer_computes_afresh(estate, settings, viewer, client_for, statements):
    settings.CT_RESPONSE_CACHE_SECONDS = 0
    client = client_for(viewer)
    client.get("/api/runbooks")
    first = telemetry_reads(statements)
    client.get("/api/runbooks")
    assert telemetry_reads(statements) > first
