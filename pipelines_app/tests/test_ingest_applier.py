"""On DuckDB ingest answers once an event is kept as received and applies it moments later
(pipelines_app/ingest/applier.py). What a client must never notice: a read right after an ingest
sees the event, a run id pending under one job is refused to another, and an event answered 200 is
applied even when the process dies before applying it (the next process to open the file does)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import orjson
import pytest

from pipelines_app.ingest import applier
from pipelines_app.ingest.applier import applier_for
from pipelines_app.ingest.records import pipeline_id_for
from pipelines_app.warehouse import get_warehouse, reset_warehouse
from testsupport.ingest_events import dataset, run_event

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/lineage"
JOB = "finance_daily.load_ledger"


@pytest.fixture
def warehouse(duckdb_warehouse, monkeypatch):
    """DuckDB, with the background thread never applying within a test: only reads do."""
    monkeypatch.setattr(applier, "APPLY_AFTER_S", 3600.0)
    monkeypatch.setattr(applier, "APPLY_AT", 10**9)
    return duckdb_warehouse


def post(client, body):
    return client.post(URL, data=orjson.dumps(body), content_type="application/json")


def run_pair(run_id: str, job: str = JOB) -> list[dict]:
    io = {"inputs": [dataset("RAW.LEDGER")], "outputs": [dataset("MART.LEDGER")]}
    return [
        run_event("START", run_id=run_id, job=job, when="2026-11-20T10:00:00Z", **io),
        run_event("COMPLETE", run_id=run_id, job=job, when="2026-11-20T10:05:00Z", **io),
    ]


def test_a_read_right_after_an_ingest_sees_the_events_not_yet_applied(
    client_for, operator, viewer, warehouse
):
    run_id = str(uuid.uuid4())
    for body in run_pair(run_id):
        assert post(client_for(operator), body).status_code == 200
    assert applier_for(warehouse).pending == 2  # answered, kept as received, not applied yet

    run = client_for(viewer).get(f"/api/runs/{run_id}")

    assert run.status_code == 200
    assert (run.json()["status"], run.json()["pipeline_id"]) == (
        "SUCCESS",
        pipeline_id_for("airflow-prod", JOB),
    )
    assert applier_for(warehouse).pending == 0
    listed = client_for(viewer).get("/api/pipelines").json()["items"]
    assert [(p["pipeline_name"], p["last_status"]) for p in listed] == [(JOB, "SUCCESS")]


def test_a_run_id_pending_under_one_job_is_refused_to_another(client_for, operator, warehouse):
    client, run_id = client_for(operator), str(uuid.uuid4())
    assert post(client, run_pair(run_id)[0]).status_code == 200
    assert applier_for(warehouse).pending == 1

    refused = post(client, run_event("FAIL", run_id=run_id, job="finance_daily.load_budget"))

    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["owner"] == {
        "pipeline_id": pipeline_id_for("airflow-prod", JOB),
        "namespace": "airflow-prod",
        "job": JOB,
    }
    runs = warehouse.fetch_all("SELECT run_id, status FROM PIPELINE_RUNS")
    assert runs == [{"run_id": run_id, "status": "RUNNING"}]


# A source API process that answered, then died before applying (no atexit, no close).
DIES_BEFORE_APPLYING = """
import os, sys, django
import orjson
django.setup()
from pipelines_app.ingest import applier, ingest_event
applier.APPLY_AFTER_S, applier.APPLY_AT = 3600.0, 10**9
for body in orjson.loads(sys.stdin.buffer.read()):
    ingest_event(body)
from pipelines_app.warehouse import get_warehouse
print(applier.applier_for(get_warehouse()).pending, flush=True)
os._exit(0)
"""


def test_events_answered_before_the_process_died_are_applied_by_the_next_one(settings, tmp_path):
    reset_warehouse()
    path, run_id = tmp_path / "telemetry.duckdb", str(uuid.uuid4())
    env = {**os.environ, "CT_WAREHOUSE_BACKEND": "duckdb", "CT_DUCKDB_PATH": str(path)}
    env["DJANGO_SETTINGS_MODULE"] = "controltower.settings"
    subprocess.run(
        [sys.executable, "manage.py", "warehouse_init"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    died = subprocess.run(
        [sys.executable, "-c", DIES_BEFORE_APPLYING],
        cwd=ROOT,
        env=env,
        input=orjson.dumps(run_pair(run_id)),
        capture_output=True,
        check=True,
    )
    assert died.stdout.strip() == b"2"  # both answered, neither applied
    with duckdb.connect(str(path)) as con:  # and a row kept there that no longer parses as an event
        con.execute(
            "INSERT INTO LINEAGE_EVENTS (event_id, received_ts, event_ts, kind, producer, event) "
            "SELECT 'junk', MAX(received_ts) + INTERVAL 1 SECOND, MAX(event_ts), 'run', 'x', '{\"not\": 1}' "
            "FROM LINEAGE_EVENTS"
        )

    settings.CT_WAREHOUSE_BACKEND, settings.CT_DUCKDB_PATH = "duckdb", path
    wh = get_warehouse()
    try:
        runs = wh.fetch_all("SELECT run_id, status, start_ts, end_ts FROM PIPELINE_RUNS")
        kept = wh.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"]
        state = wh.fetch_all("SELECT last_run_id, last_status FROM PIPELINE_RUN_STATE")
        left = wh.fetch_one(
            "SELECT COUNT(*) AS n FROM LINEAGE_EVENTS "
            "WHERE received_ts > (SELECT MAX(applied_through) FROM LINEAGE_EVENTS_APPLIED)"
        )["n"]
    finally:
        reset_warehouse()
    assert [(r["run_id"], r["status"]) for r in runs] == [(run_id, "SUCCESS")]
    assert runs[0]["start_ts"] < runs[0]["end_ts"]
    assert kept == 3  # applied, not kept twice (and the junk row left as it was)
    assert state == [{"last_run_id": run_id, "last_status": "SUCCESS"}]
    assert left == 0  # the mark passed the junk row: the next start does not try it again
