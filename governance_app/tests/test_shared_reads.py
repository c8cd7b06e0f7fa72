"""governance_app/shared_reads.py: the answers built on one evaluation share it while the response
cache may keep an answer, and a change of data shows in the very next request."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from governance_app import actions
from testsupport.telemetry_api import *  # noqa: F403  (fixtures: statements)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


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


@pytest.fixture
def fresh_process(monkeypatch):
    from governance_app import shared_reads

    monkeypatch.setattr(shared_reads, "_current", None)
    monkeypatch.setattr(shared_reads, "_next", None)
    return shared_reads


def generated_at(client, path: str) -> datetime:
    return datetime.fromisoformat(client.get(path).json()["generated_at"].replace("Z", "+00:00"))


def test_an_answer_is_never_older_than_the_cache_lifetime(estate, fresh_process, viewer, client_for):
    """The policy answer first asked 50 s into an evaluation's life is as of the evaluation (50 s
    old), so it is not kept for another 60 s: 65 s on, it is computed afresh."""
    client = client_for(viewer)
    with time_machine.travel(T0, tick=False):
        assert generated_at(client, "/api/dq/effective") == T0
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        assert generated_at(client, "/api/policies/effective") == T0  # the same evaluation, honestly dated
    with time_machine.travel(T0 + timedelta(seconds=65), tick=False):
        assert generated_at(client, "/api/policies/effective") == T0 + timedelta(seconds=65)


def test_near_its_end_the_next_evaluation_is_made_ahead(
    estate, fresh_process, viewer, client_for, statements, monkeypatch
):
    made = []

    def inline(ahead, parts):  # the background thread's work, done at once
        made.append(parts)
        fresh_process._make(ahead, parts)

    monkeypatch.setattr(fresh_process, "_begin", inline)
    client = client_for(viewer)
    with time_machine.travel(T0, tick=False):
        client.get("/api/governance/posture")
    with time_machine.travel(T0 + timedelta(seconds=58), tick=False):
        assert generated_at(client, "/api/dq/effective?team=ore") == T0  # served from the current one
    assert made and "dq_items" in made[0]
    before = telemetry_reads(statements)
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert generated_at(client, "/api/dq/effective?team=x") == T0 + timedelta(seconds=58)
    assert telemetry_reads(statements) == before  # the one made ahead, no evaluation in the request
