"""A run id reused by another job: the first job to deliver it owns the run; the other job's events
are refused (409 run_id_conflict naming the owner, or a batch's rejected item) and nothing of them is
written, in either delivery order. Through the HTTP API, with events as Airflow writes them (the
real openlineage-python client: test_ingest_live)."""

import uuid

import orjson
import pytest

from pipelines_app.ingest.records import pipeline_id_for
from testsupport.ingest_events import dataset, error_facet, run_event

URL = "/api/v1/lineage"
BATCH_URL = "/api/v1/lineage/batch"
OWNER_JOB, OTHER_JOB = "finance_daily.load_ledger", "finance_daily.load_budget"
OWNER, OTHER = pipeline_id_for("airflow-prod", OWNER_JOB), pipeline_id_for("airflow-prod", OTHER_JOB)


def post(client, body, url=URL):
    return client.post(url, data=orjson.dumps(body), content_type="application/json")


def owner_events(run_id: str) -> list[dict]:
    io = {"inputs": [dataset("RAW.LEDGER")], "outputs": [dataset("MART.LEDGER")]}
    return [
        run_event("START", run_id=run_id, job=OWNER_JOB, when="2026-11-20T10:00:00Z", **io),
        run_event("COMPLETE", run_id=run_id, job=OWNER_JOB, when="2026-11-20T10:05:00Z", **io),
    ]


def other_event(run_id: str) -> dict:
    return run_event(
        "FAIL",
        run_id=run_id,
        job=OTHER_JOB,
        when="2026-11-20T10:06:00Z",
        outputs=[dataset("MART.BUDGET")],
        run_facets=error_facet("java.lang.RuntimeException: budget load failed"),
    )


def state(wh) -> dict:
    """Where everything lives: runs, pipelines, rollups, edges and raw events."""
    return {
        "runs": wh.fetch_all("SELECT run_id, pipeline_id, status FROM PIPELINE_RUNS ORDER BY run_id"),
        "pipelines": [r["pipeline_id"] for r in wh.fetch_all("SELECT pipeline_id FROM PIPELINES ORDER BY 1")],
        "rollups": wh.fetch_all(
            "SELECT pipeline_id, last_run_id, last_status FROM PIPELINE_RUN_STATE ORDER BY pipeline_id"
        ),
        "edges": wh.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EDGES")["n"],
        "raw": wh.fetch_all("SELECT pipeline_id, event_type FROM LINEAGE_EVENTS ORDER BY event_ts"),
    }


def assert_conflict(body: dict, run_id: str, owner: str, owner_job: str) -> None:
    error = body["error"]
    assert error["code"] == "run_id_conflict"
    assert error["details"] == {
        "field": "run.runId",
        "run_id": run_id,
        "owner": {"pipeline_id": owner, "namespace": "airflow-prod", "job": owner_job},
    }
    assert f"airflow-prod/{owner_job}" in error["message"] and owner in error["message"]


def test_the_job_that_delivered_first_keeps_the_run_and_the_other_is_409(
    client_for, operator, viewer, warehouse
):
    client, run_id = client_for(operator), str(uuid.uuid4())
    for body in owner_events(run_id):
        assert post(client, body).status_code == 200
    before = state(warehouse)

    refused = post(client, other_event(run_id))
    assert refused.status_code == 409
    assert_conflict(refused.json(), run_id, OWNER, OWNER_JOB)
    assert state(warehouse) == before  # nothing of the refused event: no pipeline, edge or raw event
    assert before["runs"] == [{"run_id": run_id, "pipeline_id": OWNER, "status": "SUCCESS"}]
    assert before["rollups"] == [{"pipeline_id": OWNER, "last_run_id": run_id, "last_status": "SUCCESS"}]

    listed = client_for(viewer).get("/api/pipelines").json()["items"]
    assert [(p["pipeline_id"], p["last_status"]) for p in listed] == [(OWNER, "SUCCESS")]
    assert post(client, other_event(run_id)).status_code == 409  # a retry is refused the same way


def test_in_the_other_order_the_other_job_owns_it(client_for, operator, viewer, warehouse):
    client, run_id = client_for(operator), str(uuid.uuid4())
    assert post(client, other_event(run_id)).status_code == 200
    for body in owner_events(run_id):
        refused = post(client, body)
        assert refused.status_code == 409
        assert_conflict(refused.json(), run_id, OTHER, OTHER_JOB)
    after = state(warehouse)
    assert after["runs"] == [{"run_id": run_id, "pipeline_id": OTHER, "status": "FAILED"}]
    assert after["pipelines"] == [OTHER]
    assert after["rollups"] == [{"pipeline_id": OTHER, "last_run_id": run_id, "last_status": "FAILED"}]
    assert after["raw"] == [{"pipeline_id": OTHER, "event_type": "FAIL"}]
    listed = client_for(viewer).get("/api/pipelines").json()["items"]
    assert [(p["pipeline_id"], p["last_status"]) for p in listed] == [(OTHER, "FAILED")]


@pytest.mark.parametrize("url", [URL, BATCH_URL])
def test_a_batch_rejects_the_conflicting_event_and_stores_the_rest(client_for, operator, warehouse, url):
    run_id, unrelated = str(uuid.uuid4()), str(uuid.uuid4())
    start, complete = owner_events(run_id)
    items = [start, other_event(run_id), complete, run_event("START", run_id=unrelated, job="other.job")]
    response = post(client_for(operator), items, url=url)
    assert response.status_code == 207
    body = response.json()
    assert (body["received"], body["accepted"]) == (4, 3)
    (rejected,) = body["rejected"]
    assert (rejected["index"], rejected["field"], rejected["code"]) == (1, "run.runId", "run_id_conflict")
    assert rejected["details"]["owner"] == {
        "pipeline_id": OWNER,
        "namespace": "airflow-prod",
        "job": OWNER_JOB,
    }
    after = state(warehouse)
    assert [(r["run_id"], r["pipeline_id"], r["status"]) for r in after["runs"]] == sorted(
        [(run_id, OWNER, "SUCCESS"), (unrelated, pipeline_id_for("airflow-prod", "other.job"), "RUNNING")]
    )
    assert OTHER not in after["pipelines"] and len(after["raw"]) == 3
    assert {r["pipeline_id"]: r["last_status"] for r in after["rollups"]}[OWNER] == "SUCCESS"


def test_a_batch_against_a_run_stored_earlier(client_for, operator, warehouse):
    client, run_id = client_for(operator), str(uuid.uuid4())
    assert post(client, other_event(run_id)).status_code == 200
    items = [*owner_events(run_id), run_event("START", job="other.job")]
    body = post(client, items, url=BATCH_URL).json()
    assert body["accepted"] == 1
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [
        (0, "run_id_conflict"),
        (1, "run_id_conflict"),
    ]
    assert body["rejected"][0]["details"]["owner"]["pipeline_id"] == OTHER
    assert {"run_id": run_id, "pipeline_id": OTHER, "status": "FAILED"} in state(warehouse)["runs"]
    assert OWNER not in state(warehouse)["pipelines"]


def test_a_batch_holding_the_run_under_two_jobs_leaves_it_with_the_stored_owner(
    client_for, operator, warehouse
):
    client, run_id = client_for(operator), str(uuid.uuid4())
    start, complete = owner_events(run_id)
    assert post(client, start).status_code == 200
    body = post(client, [other_event(run_id), complete], url=BATCH_URL).json()  # the other job first
    assert body["accepted"] == 1
    (rejected,) = body["rejected"]
    assert (rejected["index"], rejected["details"]["owner"]["pipeline_id"]) == (0, OWNER)
    assert state(warehouse)["runs"] == [{"run_id": run_id, "pipeline_id": OWNER, "status": "SUCCESS"}]


def test_a_new_run_id_under_three_jobs_goes_to_the_first(client_for, operator, warehouse):
    run_id = str(uuid.uuid4())
    third = run_event("START", run_id=run_id, job="finance_daily.third", when="2026-11-20T09:00:00Z")
    items = [other_event(run_id), *owner_events(run_id), third]
    body = post(client_for(operator), items, url=BATCH_URL).json()
    assert body["accepted"] == 1
    assert [(r["index"], r["details"]["owner"]["pipeline_id"]) for r in body["rejected"]] == [
        (1, OTHER),
        (2, OTHER),
        (3, OTHER),
    ]
    after = state(warehouse)
    assert after["runs"] == [{"run_id": run_id, "pipeline_id": OTHER, "status": "FAILED"}]
    assert after["pipelines"] == [OTHER] and len(after["raw"]) == 1
