"""Ingest in /metrics after real POSTs: events accepted (when stored) and rejected (by reason,
one per refused item of a batch), the lag of the newest stored event, and warehouse query time."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from testsupport.ingest_events import run_event
from testsupport.metrics import scrape
from testsupport.warehouse import duckdb_only

pytestmark = duckdb_only
URL = "/api/v1/lineage"
ACCEPTED = {"outcome": "accepted", "reason": ""}


def post(api, body, url=URL):
    return api.post(url, data=orjson.dumps(body), content_type="application/json")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def api(client_for, operator):
    return client_for(operator)


def test_accepted_events_and_their_lag(api, client, warehouse):
    before = scrape(client).value("ct_ingest_events_total", **ACCEPTED)
    event_time = datetime.now(UTC) - timedelta(minutes=10)
    assert post(api, run_event("START", when=iso(event_time))).status_code == 200
    assert post(api, [run_event("START"), run_event("COMPLETE")], url=URL + "/batch").status_code == 200
    page = scrape(client)
    assert page.value("ct_ingest_events_total", **ACCEPTED) == before + 3
    # the last group stored holds events of 2026-11-20: the newest of them sets the gauges
    newest = datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp()
    assert page.value("ct_ingest_newest_event_timestamp_seconds") == newest
    assert page.value("ct_ingest_lag_seconds") > 0


def test_the_lag_follows_the_newest_event_stored(api, client, warehouse):
    event_time = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    assert post(api, run_event("START", when=iso(event_time))).status_code == 200
    page = scrape(client)
    assert page.value("ct_ingest_newest_event_timestamp_seconds") == event_time.timestamp()
    assert 600 <= page.value("ct_ingest_lag_seconds") < 3600


def test_rejected_events_are_counted_by_reason(api, client, warehouse):
    def rejected(page, reason):
        return page.value("ct_ingest_events_total", outcome="rejected", reason=reason)

    before = scrape(client)
    missing_time = run_event("START")
    del missing_time["eventTime"]
    assert post(api, missing_time).status_code == 400
    assert post(api, [run_event("START"), missing_time, run_event("DONE")]).status_code == 207
    assert api.post(URL, data=b"{not json", content_type="application/json").status_code == 400
    after = scrape(client)
    assert rejected(after, "invalid_request") - rejected(before, "invalid_request") == 3
    assert rejected(after, "malformed_request") - rejected(before, "malformed_request") == 1
    assert (
        after.value("ct_ingest_events_total", **ACCEPTED) - before.value("ct_ingest_events_total", **ACCEPTED)
        == 1
    )


def test_warehouse_statements_are_timed(api, client, warehouse):
    labels = {"backend": "duckdb", "operation": "fetch_all"}
    before = scrape(client).value("ct_warehouse_query_duration_seconds_count", **labels)
    assert api.get("/api/pipelines").status_code == 200
    assert scrape(client).value("ct_warehouse_query_duration_seconds_count", **labels) > before
