"""POST /api/v1/lineage and /api/v1/lineage/batch over the API: roles, envelopes, limits."""

import gzip
import uuid

import orjson
import pytest

from pipelines_app.warehouse import reset_warehouse
from testsupport.ingest_events import dataset, run_event
from testsupport.warehouse import duckdb_only

URL = "/api/v1/lineage"
BATCH_URL = "/api/v1/lineage/batch"


def post(client, body, url=URL, **extra):
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(url, data=data, content_type=extra.pop("content_type", "application/json"), **extra)


def count(wh, table):
    return wh.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")["n"]


def test_operator_posts_one_event(client_for, operator, warehouse):
    run_id = str(uuid.uuid4())
    response = post(client_for(operator, "Bearer"), run_event("START", run_id=run_id))
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["kind"], body["run_id"]) == (1, "run", run_id)
    assert body["pipeline_id"].startswith("ol_")
    assert (
        warehouse.fetch_one("SELECT status FROM PIPELINE_RUNS WHERE run_id = ?", [run_id])["status"]
        == "RUNNING"
    )


def test_token_keyword_and_higher_roles_are_accepted(client_for, governance_admin, warehouse):
    assert post(client_for(governance_admin, "Token"), run_event("START")).status_code == 200


def test_viewer_is_403_and_nothing_is_written(client_for, viewer, warehouse):
    response = post(client_for(viewer), run_event("START"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert count(warehouse, "PIPELINE_RUNS") == 0


@duckdb_only
def test_anonymous_is_401(anon_client, db, warehouse):
    response = post(anon_client, run_event("START"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@duckdb_only
def test_a_bad_token_is_401(anon_client, db, warehouse):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert post(anon_client, run_event("START")).status_code == 401


def test_invalid_event_is_400_naming_the_field_and_writes_nothing(client_for, operator, warehouse):
    body = run_event("START", inputs=[dataset("RAW.A")], outputs=[dataset("MART.B")])
    body["run"]["runId"] = "12345"
    response = post(client_for(operator), body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("invalid_request", {"field": "run.runId"})
    assert error["message"].startswith("run.runId: must be a UUID")
    assert [count(warehouse, t) for t in ("PIPELINES", "PIPELINE_RUNS", "DATASETS", "LINEAGE_EDGES")] == [
        0,
        0,
        0,
        0,
    ]


@pytest.mark.parametrize(
    "raw, message",
    [(b"{not json", "not valid JSON"), (b"", "empty"), (b"   ", "empty")],
)
def test_malformed_body_is_400(client_for, operator, db, raw, message):
    response = post(client_for(operator), raw)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_request" and error["details"]["field"] == "body"
    assert message in error["message"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_only_json_is_accepted(client_for, operator, db, content_type):
    response = post(client_for(operator), run_event("START"), content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_oversize_body_is_413_before_it_is_read(client_for, operator, db, settings):
    settings.CT_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = [run_event("START") for _ in range(10)]
    response = post(client_for(operator), body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"]["limit_bytes"] == 2_000


def test_a_batch_of_too_many_events_is_413(client_for, operator, db):
    response = post(client_for(operator), [{}] * 10_001, url=BATCH_URL)
    assert response.status_code == 413
    assert response.json()["error"]["details"] == {"limit_events": 10_000, "events": 10_001}


def test_gzip_bodies_are_accepted_and_limited_after_inflating(client_for, operator, warehouse, settings):
    client = client_for(operator)
    event = orjson.dumps(run_event("START"))
    assert post(client, gzip.compress(event), HTTP_CONTENT_ENCODING="gzip").status_code == 200
    assert count(warehouse, "PIPELINE_RUNS") == 1

    settings.CT_MAX_BODY_BYTES = 50_000
    bomb = gzip.compress(b"[" + b" " * 200_000 + b"]")  # small on the wire, 200 kB inflated
    response = post(client, bomb, HTTP_CONTENT_ENCODING="gzip")
    assert (response.status_code, response.json()["error"]["code"]) == (413, "payload_too_large")
    assert post(client, b"\x1f\x8bjunk", HTTP_CONTENT_ENCODING="gzip").status_code == 400
    assert post(client, event, HTTP_CONTENT_ENCODING="br").status_code == 415


@pytest.mark.parametrize("url", [URL, BATCH_URL])
def test_a_batch_writes_the_valid_items_and_reports_the_rest(client_for, operator, warehouse, url):
    missing_time = run_event("START")
    del missing_time["eventTime"]
    items = [run_event("START"), missing_time, run_event("COMPLETE"), run_event("DONE")]
    response = post(client_for(operator), items, url=url)
    assert response.status_code == 207
    body = response.json()
    assert (body["received"], body["accepted"]) == (4, 2)
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(1, "eventTime"), (3, "eventType")]
    assert "START, RUNNING, COMPLETE, ABORT, FAIL, OTHER" in body["rejected"][1]["message"]
    assert count(warehouse, "PIPELINE_RUNS") == 2


def test_a_clean_batch_is_200(client_for, operator, warehouse):
    response = post(client_for(operator), [run_event("START"), run_event("START")], url=BATCH_URL)
    assert response.status_code == 200
    assert response.json() == {"received": 2, "accepted": 2, "rejected": []}
    assert post(client_for(operator), [], url=BATCH_URL).json()["accepted"] == 0


def test_the_batch_path_needs_an_array(client_for, operator, db):
    response = post(client_for(operator), run_event("START"), url=BATCH_URL)
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"field": "body"}


def test_get_is_not_allowed(client_for, operator, db):
    assert client_for(operator).get(URL).status_code == 405


def test_no_warehouse_is_503(client_for, operator, settings):
    settings.CT_WAREHOUSE_BACKEND = "none"
    reset_warehouse()
    try:
        response = post(client_for(operator), run_event("START"))
        batch = post(client_for(operator), [run_event("START")], url=BATCH_URL)
    finally:
        reset_warehouse()
    assert (response.status_code, response.json()["error"]["code"]) == (503, "database_unavailable")
    assert batch.status_code == 503
