"""The real openlineage-python client (HTTP transport, api_key auth) against a live server."""

import uuid

import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run, job_type_job, ownership_job
from openlineage.client.transport.http import HttpConfig, HttpTransport

from controltower import tokens
from controltower.roles import LINEAGE_WRITE
from pipelines_app.ingest.records import pipeline_id_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NAMESPACE = "airflow-prod"
SNOW = "snowflake://acme.ap-southeast-2"
MESSAGE = (
    "002003 (42S02): SQL compilation error: Object 'MART.LEDGER_STAGE' does not exist or not authorized."
)


def ol_client(url: str, token: str, **config) -> OpenLineageClient:
    http = HttpConfig.from_dict({"url": url, "auth": {"type": "api_key", "apiKey": token}, **config})
    return OpenLineageClient(transport=HttpTransport(http))


def event(state: RunState, run_id: str, job: str, when: str, *, inputs=(), outputs=(), run_facets=None):
    facets = {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="AIRFLOW", jobType="TASK"
        ),
        "ownership": ownership_job.OwnershipJobFacet(owners=[ownership_job.Owner(name="team:ledger")]),
    }
    return RunEvent(
        eventType=state,
        eventTime=when,
        run=Run(runId=run_id, facets=run_facets or {}),
        job=Job(namespace=NAMESPACE, name=job, facets=facets),
        inputs=[InputDataset(namespace=SNOW, name=n) for n in inputs],
        outputs=[OutputDataset(namespace=SNOW, name=n) for n in outputs],
    )


def get(live_server, token: str, path: str) -> dict:
    response = requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Token {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_start_then_fail_is_listed_failed_and_in_impact(live_server, operator, warehouse):
    token = operator.api_key
    client = ol_client(live_server.url, token)
    upstream, run_id = str(uuid.uuid4()), str(uuid.uuid4())
    client.emit(
        event(RunState.START, upstream, "extract_ledger", "2026-11-20T09:00:00Z", outputs=["RAW.LEDGER"])
    )
    client.emit(
        event(RunState.COMPLETE, upstream, "extract_ledger", "2026-11-20T09:10:00Z", outputs=["RAW.LEDGER"])
    )
    io = {"inputs": ["RAW.LEDGER"], "outputs": ["MART.LEDGER"]}
    client.emit(event(RunState.START, run_id, "load_ledger", "2026-11-20T10:00:00Z", **io))
    error = {
        "errorMessage": error_message_run.ErrorMessageRunFacet(message=MESSAGE, programmingLanguage="python")
    }
    fail = event(RunState.FAIL, run_id, "load_ledger", "2026-11-20T10:04:00Z", run_facets=error, **io)
    client.emit(fail)

    pid, upstream_pid = (
        pipeline_id_for(NAMESPACE, "load_ledger"),
        pipeline_id_for(NAMESPACE, "extract_ledger"),
    )
    listed = {p["pipeline_id"]: p for p in get(live_server, token, "/api/pipelines")["items"]}
    assert set(listed) == {pid, upstream_pid}
    assert (listed[pid]["pipeline_name"], listed[pid]["team"], listed[pid]["platform"]) == (
        "load_ledger",
        "ledger",
        "airflow",
    )
    (run,) = get(live_server, token, f"/api/pipelines/{pid}/runs")["items"]
    assert (run["run_id"], run["status"], run["error_message"], run["error_code"]) == (
        run_id,
        "FAILED",
        MESSAGE,
        "002003",
    )
    assert run["duration_seconds"] == 240 and run["trigger_type"] == "openlineage"
    impact = get(live_server, token, f"/api/pipelines/{upstream_pid}/impact")
    assert (pid, "pipeline") in {(n["id"], n["kind"]) for n in impact["nodes"]}

    client.emit(fail)  # replayed
    rows = warehouse.fetch_all("SELECT status, error_message FROM PIPELINE_RUNS WHERE run_id = ?", [run_id])
    assert rows == [{"status": "FAILED", "error_message": MESSAGE}]


def test_environment_configuration_gzip_and_out_of_order(live_server, operator, warehouse, monkeypatch):
    monkeypatch.setenv("OPENLINEAGE_URL", live_server.url)
    monkeypatch.setenv("OPENLINEAGE_API_KEY", operator.api_key)
    from_env = OpenLineageClient()
    assert isinstance(from_env.transport, HttpTransport)
    gzipped = ol_client(live_server.url, operator.api_key, compression="gzip")
    run_id = str(uuid.uuid4())
    from_env.emit(event(RunState.COMPLETE, run_id, "late_job", "2026-11-20T10:30:00Z"))
    gzipped.emit(event(RunState.START, run_id, "late_job", "2026-11-20T10:00:00Z"))
    row = warehouse.fetch_one("SELECT status, duration_seconds FROM PIPELINE_RUNS WHERE run_id = ?", [run_id])
    assert row == {"status": "SUCCESS", "duration_seconds": 1800}


def test_the_client_is_refused_without_the_operator_role(live_server, viewer, warehouse):
    start = event(RunState.START, str(uuid.uuid4()), "job", "2026-11-20T10:00:00Z")
    with pytest.raises(requests.HTTPError) as refused:
        ol_client(live_server.url, viewer.api_key).emit(start)
    assert refused.value.response.status_code == 403
    with pytest.raises(requests.HTTPError) as anonymous:
        OpenLineageClient(transport=HttpTransport(HttpConfig(url=live_server.url))).emit(start)
    assert anonymous.value.response.status_code == 401
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINE_RUNS")["n"] == 0


def test_an_oversize_event_is_413_over_http(live_server, operator, warehouse, settings):
    settings.CT_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    big = event(
        RunState.START, str(uuid.uuid4()), "job", "2026-11-20T10:00:00Z", inputs=[f"T{i}" for i in range(40)]
    )
    with pytest.raises(requests.HTTPError) as refused:
        ol_client(live_server.url, operator.api_key).emit(big)
    assert refused.value.response.status_code == 413
    assert refused.value.response.json()["error"]["code"] == "payload_too_large"


def test_a_producer_token_scoped_to_lineage_posts_events_and_nothing_else(live_server, operator, warehouse):
    """A producer's `lineage:write` token (held by an operator) ingests through the real client,
    but reads nothing and changes no governance: a leaked producer token is only a producer."""
    _, key = tokens.issue(operator, name="airflow", scopes=[LINEAGE_WRITE])
    run_id = str(uuid.uuid4())
    ol_client(live_server.url, key).emit(
        event(RunState.COMPLETE, run_id, "scoped_job", "2026-11-20T10:30:00Z")
    )
    assert warehouse.fetch_one("SELECT status FROM PIPELINE_RUNS WHERE run_id = ?", [run_id]) == {
        "status": "SUCCESS"
    }
    headers = {"Authorization": f"Bearer {key}"}
    read = requests.get(f"{live_server.url}/api/pipelines", headers=headers, timeout=10)
    write = requests.post(
        f"{live_server.url}/api/runbooks/governance/upsert", json={}, headers=headers, timeout=10
    )
    for refused in (read, write):
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "token_scope"
    assert (
        get(live_server, operator.api_key, "/api/pipelines")["total"] == 1
    )  # the operator's own token reads


def test_the_openlineage_client_gets_409_and_the_owner_is_listed(live_server, operator, warehouse):
    token, run_id = operator.api_key, str(uuid.uuid4())
    client = ol_client(live_server.url, token)
    client.emit(event(RunState.START, run_id, "extract_ledger", "2026-11-20T09:00:00Z", outputs=["RAW.L"]))
    client.emit(event(RunState.COMPLETE, run_id, "extract_ledger", "2026-11-20T09:10:00Z", outputs=["RAW.L"]))
    with pytest.raises(requests.HTTPError) as refused:
        client.emit(event(RunState.FAIL, run_id, "load_ledger", "2026-11-20T09:20:00Z", inputs=["RAW.L"]))
    assert refused.value.response.status_code == 409
    owner = pipeline_id_for(NAMESPACE, "extract_ledger")
    details = refused.value.response.json()["error"]["details"]
    assert details["owner"] == {"pipeline_id": owner, "namespace": NAMESPACE, "job": "extract_ledger"}
    listed = get(live_server, token, "/api/pipelines")["items"]
    assert [(p["pipeline_id"], p["last_status"]) for p in listed] == [(owner, "SUCCESS")]
