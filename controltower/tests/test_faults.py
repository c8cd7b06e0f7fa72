"""Dead dependencies, each with a real process or server: the API keeps serving what it can, says
what is degraded, answers 503 with the envelope where it cannot, and recovers without a restart.

Covered elsewhere (real stub servers / live gunicorn sources): a source stopped mid-fan-out, a
hanging source and one answering garbage — aggregate_app/tests/test_live.py
(test_a_stopped_source_beside_a_live_one, test_a_hanging_source_beside_a_live_one) and
aggregate_app/tests/test_client.py (invalid JSON, stopped port, breaker)."""

import subprocess
import sys
import textwrap
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework.test import APIClient

from pipelines_app.warehouse import get_warehouse, reset_warehouse
from testsupport.live_servers import Server, base_env, free_port, manage

pytestmark = [pytest.mark.slow]


@pytest.fixture
def duck(settings, tmp_path):
    reset_warehouse()
    settings.CT_WAREHOUSE_BACKEND, settings.CT_DUCKDB_PATH = "duckdb", tmp_path / "telemetry.duckdb"
    get_warehouse().create_schema()
    reset_warehouse()  # this process lets go of the file: another one is about to take it
    yield settings.CT_DUCKDB_PATH
    reset_warehouse()


def hold_lock(path) -> subprocess.Popen:
    """Another process opening the DuckDB file for writing (DuckDB allows one writer per file)."""
    code = (
        f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(120)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.django_db
def test_a_warehouse_file_locked_by_another_process_is_503_then_recovers(duck, client_for, viewer):
    client = client_for(viewer)
    holder = hold_lock(duck)
    try:
        response = client.get("/api/summary")
        assert response.status_code == 503, response.content[:300]
        assert response.json()["error"]["code"] == "database_unavailable"
        health = APIClient().get("/health").json()
        assert (health["status"], health["warehouse"]["status"]) == ("degraded", "degraded")
        assert client.get("/api/policies/profiles").status_code == 200  # the governance side serves on
    finally:
        holder.kill()
        holder.wait()
    assert client.get("/api/summary").status_code == 200  # no restart
    assert APIClient().get("/health").json()["warehouse"]["status"] == "ok"


@pytest.mark.django_db
def test_redis_down_the_api_serves_and_health_says_the_broker_is_degraded(settings, client_for, viewer):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    health = APIClient().get("/health").json()
    assert time.monotonic() - started < 10
    assert health["status"] == "degraded"
    assert health["broker"] == {
        "status": "degraded",
        "transport": "redis",
        "error": health["broker"]["error"],
    }
    assert client_for(viewer).get("/api/policies/profiles").status_code == 200


# ---- live servers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A live source API on DuckDB, migrated, with an operator token; restartable on its port."""
    data = tmp_path_factory.mktemp("fault-source")
    duck = {"CT_WAREHOUSE_BACKEND": "duckdb"}
    manage(data, "migrate", "--noinput", "-v", "0", **duck)
    manage(data, "warehouse_init", **duck)
    token = manage(data, "ct_user", "producer", "--role", "operator", **duck).splitlines()[-1]
    server = Server("fault-source", data, base_env(data, CT_SOURCE_NAME="aws", **duck)).start().wait()
    server.token = token
    yield server
    server.stop()


def event(run_id: str, job: str, event_type: str = "START") -> dict:
    return {
        "eventType": event_type,
        "eventTime": "2026-11-20T10:00:00Z",
        "producer": "https://example.com/ct-fault-test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id},
        "job": {"namespace": "fault", "name": job},
    }


def send_with_retries(url: str, token: str, body: dict, deadline: float) -> int:
    """What a producer does: retry on connection errors and 5xx until it is accepted."""
    attempts = 0
    while time.monotonic() < deadline:
        attempts += 1
        try:
            r = requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            if r.status_code < 500:
                assert r.status_code == 200, r.text[:300]
                return attempts
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("the event was never accepted")


def test_a_burst_of_openlineage_events_across_a_restart_loses_and_duplicates_nothing(source):
    job, sent = f"burst-{uuid.uuid4().hex[:8]}", 300
    runs = [str(uuid.uuid4()) for _ in range(sent)]
    url = source.url + "/api/v1/lineage"
    deadline = time.monotonic() + 120

    accepted, third = [], threading.Event()

    def send(run_id: str) -> int:
        attempts = send_with_retries(url, source.token, event(run_id, job), deadline)
        accepted.append(run_id)
        if len(accepted) >= sent // 3:
            third.set()
        return attempts

    def restart():
        assert third.wait(60)  # a third of the burst is in: restart in the middle of it
        source.proc.terminate()  # graceful: in-flight requests finish, new ones are refused
        source.proc.wait(timeout=30)
        source.start().wait()

    with ThreadPoolExecutor(8) as pool:
        restarter = pool.submit(restart)
        attempts = list(pool.map(send, runs))
        restarter.result()
    retried = sum(a > 1 for a in attempts)
    for run_id in runs[:50]:  # the same events again, as a producer replaying its buffer would
        send_with_retries(url, source.token, event(run_id, job), deadline)
    pipelines = requests.get(
        source.url + "/api/pipelines",
        params={"search": job},
        headers={"Authorization": f"Token {source.token}"},
    ).json()["items"]
    assert len(pipelines) == 1
    stored = requests.get(
        f"{source.url}/api/pipelines/{pipelines[0]['pipeline_id']}/runs",
        params={"limit": 1},
        headers={"Authorization": f"Token {source.token}"},
    ).json()["total"]
    print(f"OpenLineage burst across a restart: sent {sent}, retried {retried}, stored {stored}")
    assert stored == sent
    assert retried > 0, "the restart should have interrupted some sends"


def test_governance_database_down_is_503_with_the_envelope_and_writes_nothing(tmp_path):
    """A source whose PostgreSQL is unreachable: every API call answers 503 database_unavailable
    (the token lookup is the first thing to fail), /health says the database is degraded."""
    data = tmp_path / "db-down"
    data.mkdir()
    env = base_env(
        data,
        CT_WAREHOUSE_BACKEND="duckdb",
        DATABASE_URL=f"postgres://ct:ct@127.0.0.1:{free_port()}/controltower",
        DB_CONN_MAX_AGE="0",
    )
    manage(data, "warehouse_init", CT_WAREHOUSE_BACKEND="duckdb")
    server = Server("db-down", data, env).start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(server.url + "/health", timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and server.proc.poll() is None, "server did not start"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["database"]["status"] == "degraded"
        headers = {"Authorization": "Token " + "a" * 40}
        for method, path, body in [
            ("get", "/api/policies/profiles", None),
            ("post", "/api/policies/assign", {"scope": "team", "target_id": "t", "profile": "strict"}),
            ("post", "/api/v1/lineage", event(str(uuid.uuid4()), "db-down")),
        ]:
            response = requests.request(method, server.url + path, json=body, headers=headers, timeout=10)
            assert response.status_code == 503, (path, response.status_code, response.text[:300])
            assert response.json()["error"]["code"] == "database_unavailable"
    finally:
        server.stop()
    count = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb
            print(duckdb.connect({str(data / 'telemetry.duckdb')!r}).execute(
                "SELECT count(*) FROM PIPELINE_RUNS").fetchone()[0])
        """)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert count == "0"  # the refused ingest wrote nothing


def test_concurrent_writers_on_one_policy_target_lose_no_update(source):
    """16 writers at once (a gunicorn with 8 threads, SQLite with IMMEDIATE transactions) assign
    profiles to one team: each change is in the history, chained (every event's old value is the
    previous event's new value: no write based on a stale read), and the last one is what holds."""
    admin = manage(source.data_dir, "ct_user", "gov-writer", "--role", "governance_admin").splitlines()[-1]
    headers = {"Authorization": f"Token {admin}"}
    target = f"team-{uuid.uuid4().hex[:8]}"
    profiles = ["strict", "balanced", "relaxed"] * 6

    def assign(profile: str) -> int:
        body = {"scope": "team", "target_id": target, "profile": profile, "reason": f"to {profile}"}
        return requests.post(
            source.url + "/api/policies/assign", json=body, headers=headers, timeout=30
        ).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(assign, profiles))
    assert set(statuses) <= {200, 409}, statuses
    history = requests.get(
        source.url + "/api/policies/history",
        params={"scope": "team", "target_id": target, "limit": 500},
        headers=headers,
        timeout=30,
    ).json()["items"]
    events = sorted(history, key=lambda e: e["id"])
    assert len(events) >= 2
    for before, after in zip(events, events[1:], strict=False):
        assert after["old_value"]["profile"] == before["new_value"]["profile"], (before, after)
    active = manage(
        source.data_dir,
        "shell",
        "-c",
        "from governance_app.models import PolicyAssignment as P; "
        f"print([p.profile for p in P.objects.filter(scope='team', target_id={target!r}, is_active=True)])",
    )
    assert active.splitlines()[-1] == str([events[-1]["new_value"]["profile"]])
