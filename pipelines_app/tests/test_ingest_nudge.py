"""A failed run's ingest tells the control tier at once: a POST to its evaluate endpoint with the
nudge token, sent in the background (the ingest answers whatever the control tier does)."""

import logging
import time
import uuid

import orjson
import pytest

from pipelines_app.ingest import nudge
from testsupport.ingest_events import error_facet, run_event
from testsupport.warehouse import duckdb_only
from testsupport.webhook_receiver import Receiver

pytestmark = duckdb_only
URL = "/api/v1/lineage"
TOKEN = "nudge-token-for-tests-0123456789"


def post(client, body):
    return client.post(URL, data=orjson.dumps(body), content_type="application/json")


def settle(receiver: Receiver, count: int) -> list[dict]:
    """The receiver's posts once `count` arrived and the nudge thread went idle."""
    deadline = time.monotonic() + 15
    while (len(receiver.posts) < count or nudge.nudger._running) and time.monotonic() < deadline:
        time.sleep(0.05)
    return receiver.posts


@pytest.fixture
def control(settings):
    with Receiver(202) as receiver:
        settings.CT_ALERT_NUDGE_URL = receiver.base
        settings.CT_ALERT_NUDGE_TOKEN = TOKEN
        settings.CT_SOURCE_NAME = "aws"
        yield receiver


def test_a_failed_run_nudges_the_control_tier_with_the_token(client_for, operator, warehouse, control):
    run_id = str(uuid.uuid4())
    client = client_for(operator, "Bearer")
    assert post(client, run_event("START", run_id=run_id)).status_code == 200
    failed = run_event("FAIL", run_id=run_id, when="2026-11-20T10:05:00Z", run_facets=error_facet("boom"))
    assert post(client, failed).status_code == 200
    posts = settle(control, 1)
    assert [p["path"] for p in posts] == ["/api/aggregate/alerts/evaluate"]
    assert posts[0]["headers"]["X-Alert-Nudge-Token"] == TOKEN
    assert posts[0]["json"] == {"source": "aws", "reason": "run_failed"}


def test_successful_runs_do_not_nudge(client_for, operator, warehouse, control):
    client = client_for(operator, "Bearer")
    run_id = str(uuid.uuid4())
    assert post(client, run_event("START", run_id=run_id)).status_code == 200
    done = run_event("COMPLETE", run_id=run_id, when="2026-11-20T10:05:00Z")
    assert post(client, done).status_code == 200
    aborted = run_event("ABORT", job="finance_daily.other")  # then one that does, to know we waited
    assert post(client, aborted).status_code == 200
    assert len(settle(control, 1)) == 1


def test_a_storm_of_failures_sends_few_nudges(client_for, operator, warehouse, control):
    client = client_for(operator, "Bearer")
    for n in range(20):
        assert post(client, run_event("FAIL", job=f"finance_daily.job_{n}")).status_code == 200
    posts = settle(control, 1)
    assert 1 <= len(posts) <= 3  # one at once, one more for what failed meanwhile


def test_an_unreachable_control_tier_never_fails_the_ingest(
    client_for, operator, warehouse, settings, caplog
):
    settings.CT_ALERT_NUDGE_URL = "http://user:hunter2@127.0.0.1:9/"  # nothing listens on port 9
    settings.CT_ALERT_NUDGE_TOKEN = TOKEN
    with caplog.at_level(logging.WARNING, logger="pipelines_app.ingest.nudge"):
        assert post(client_for(operator, "Bearer"), run_event("FAIL")).status_code == 200
        deadline = time.monotonic() + 15
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "alert nudge not delivered" in caplog.text
    assert "hunter2" not in caplog.text and TOKEN not in caplog.text
