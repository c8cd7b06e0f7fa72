"""API throttles (controltower/api/throttles.py): a rate per person over every call, one per route
class (writes, ingest, assisted triage), anonymous reads per address; a control tier's service
account is not held to the per-person rate, and its forwarded writes count for the person it names.
A refused call is a 429 `throttled` naming its scope, with Retry-After."""

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.contrib.auth.models import Group

from controltower.api.auth import SERVICE_GROUP
from testsupport.ingest_events import run_event
from testsupport.personas import make_user
from testsupport.throttling import set_rates

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 9, 0, 20, tzinfo=UTC)  # 40 s before the minute's window ends
RUNBOOK = "/api/runbooks/governance/upsert"
RUNBOOK_BODY = {"pipeline_id": "p1", "state": "open", "owner": "ops@example.com", "reason": "no runbook"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def warehouse(duckdb_warehouse):
    return duckdb_warehouse


@pytest.fixture
def service(db):
    user = make_user("svc-control", "governance_admin")
    user.groups.add(Group.objects.get_or_create(name=SERVICE_GROUP)[0])
    return user


def throttled(response, scope: str) -> dict:
    assert response.status_code == 429, (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert (error["code"], error["details"]["scope"]) == ("throttled", scope)
    assert response["Retry-After"] == str(error["details"]["retry_after"]) == "40"
    assert "try again in 40 seconds" in error["message"]
    return error


def test_writes_past_the_rate_are_refused_per_person_and_reads_go_on(settings, client_for, operator):
    set_rates(settings, writes="2/min")
    otto = client_for(operator)
    for _ in range(2):
        assert otto.post(RUNBOOK, RUNBOOK_BODY, format="json").status_code == 200
    error = throttled(otto.post(RUNBOOK, RUNBOOK_BODY, format="json"), "writes")
    assert "'writes' limit (2/min)" in error["message"]
    assert (
        otto.post("/api/runbooks/governance/remove", {"pipeline_id": "p1"}, format="json").status_code == 429
    )
    assert otto.get("/api/runbooks/governance").status_code == 200
    olga = client_for(make_user("olga", "operator"))
    assert olga.post(RUNBOOK, RUNBOOK_BODY, format="json").status_code == 200


def test_the_window_passes_and_writes_are_accepted_again(settings, client_for, operator, clock):
    set_rates(settings, writes="1/min")
    otto = client_for(operator)
    assert otto.post(RUNBOOK, RUNBOOK_BODY, format="json").status_code == 200
    throttled(otto.post(RUNBOOK, RUNBOOK_BODY, format="json"), "writes")
    clock.shift(timedelta(seconds=40))
    assert otto.post(RUNBOOK, RUNBOOK_BODY, format="json").status_code == 200


def test_ingest_has_its_own_scope_for_single_events_and_batches(settings, client_for, operator, warehouse):
    set_rates(settings, ingest="2/min", writes="1/min")
    otto = client_for(operator, "Bearer")
    assert otto.post("/api/v1/lineage", run_event("START"), format="json").status_code == 200
    assert otto.post("/api/v1/lineage/batch", [run_event("START")], format="json").status_code == 200
    throttled(otto.post("/api/v1/lineage", run_event("START"), format="json"), "ingest")
    throttled(otto.post("/api/v1/lineage/batch", [run_event("START")], format="json"), "ingest")
    assert otto.post(RUNBOOK, RUNBOOK_BODY, format="json").status_code == 200  # not a write's count


def test_the_per_person_rate_covers_every_call(settings, client_for, viewer, governance_admin):
    set_rates(settings, user="3/min")
    vera = client_for(viewer)
    for _ in range(3):
        assert vera.get("/api/policies/profiles").status_code == 200
    throttled(vera.get("/api/dq/standards"), "user")
    assert client_for(governance_admin).get("/api/policies/profiles").status_code == 200


def test_anonymous_reads_count_per_address_and_health_is_never_throttled(settings, anon_client):
    settings.CT_PUBLIC_READ = True
    set_rates(settings, anon="2/min")
    for _ in range(2):
        assert anon_client.get("/api/policies/profiles").status_code == 200
    throttled(anon_client.get("/api/policies/profiles"), "anon")
    assert anon_client.get("/api/policies/profiles", REMOTE_ADDR="198.51.100.7").status_code == 200
    for _ in range(5):
        assert anon_client.get("/health").status_code in (200, 503)
        assert anon_client.get("/version").status_code == 200


def test_the_service_account_is_not_held_to_the_per_person_rate(
    settings, client_for, service, viewer, governance_admin
):
    set_rates(settings, user="2/min")
    control = client_for(service)
    for acting in ("", "vera", "vera", "gina", "", "vera"):
        headers = {"HTTP_X_ACTING_USER": acting} if acting else {}
        assert control.get("/api/policies/profiles", **headers).status_code == 200
    vera = client_for(viewer)
    assert [vera.get("/api/policies/profiles").status_code for _ in range(3)] == [200, 200, 429]


def test_forwarded_writes_count_for_the_person_the_service_account_names(
    settings, client_for, service, governance_admin, governance_admin_2
):
    set_rates(settings, writes="2/min")
    control = client_for(service)
    for _ in range(2):
        answer = control.post(RUNBOOK, RUNBOOK_BODY, format="json", HTTP_X_ACTING_USER="gina")
        assert answer.status_code == 200
    throttled(control.post(RUNBOOK, RUNBOOK_BODY, format="json", HTTP_X_ACTING_USER="gina"), "writes")
    assert control.post(RUNBOOK, RUNBOOK_BODY, format="json", HTTP_X_ACTING_USER="gus").status_code == 200
    throttled(client_for(governance_admin).post(RUNBOOK, RUNBOOK_BODY, format="json"), "writes")  # gina


def test_the_control_tier_throttles_its_own_routes_alike(
    settings, control_tier, client_for, viewer, operator
):
    set_rates(settings, assisted_triage="1/min", writes="1/min")
    vera = client_for(viewer)
    ask = {"run_id": "r-1", "mode": "assisted", "source": "aws"}
    assert vera.post("/api/aggregate/triage/query", ask, format="json").status_code != 429
    throttled(vera.post("/api/aggregate/triage/query", ask, format="json"), "assisted_triage")
    deterministic = {**ask, "mode": "deterministic"}
    assert vera.post("/api/aggregate/triage/query", deterministic, format="json").status_code != 429
    otto = client_for(operator)
    assign = "/api/aggregate/runbooks/governance/upsert?source=aws"
    assert otto.post(assign, RUNBOOK_BODY, format="json").status_code != 429
    throttled(otto.post(assign, RUNBOOK_BODY, format="json"), "writes")


@pytest.mark.slow
@pytest.mark.services
def test_every_worker_shares_the_counts_through_redis(tmp_path):
    """Two gunicorn workers, CACHE_URL on Redis: the rate holds for the deployment, not per worker
    (a per-process cache would let each worker allow its own 4)."""
    from testsupport.live_servers import GUNICORN, ROOT, Server, base_env, free_port, manage
    from testsupport.services import REDIS_URL, need

    need(REDIS_URL, "Redis")
    cache_url = REDIS_URL.rsplit("/", 1)[0] + "/14"  # a database of its own: cleared here
    manage(tmp_path, "migrate", "--noinput", "-v", "0")
    token = manage(tmp_path, "ct_user", "redis-vera", "--role", "viewer").splitlines()[-1]
    manage(tmp_path, "shell", "-c", "from django.core.cache import cache; cache.clear()", CACHE_URL=cache_url)
    env = base_env(tmp_path, CACHE_URL=cache_url, CT_THROTTLE_USER="4/day")
    port = free_port()
    cmd = [GUNICORN, "controltower.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"]
    with (tmp_path / "server.log").open("ab") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        Server("source", tmp_path, env, port=port, proc=proc).wait()
        statuses = []
        for _ in range(12):  # a new connection each time: both workers answer
            answer = requests.get(
                f"http://127.0.0.1:{port}/api/policies/profiles",
                headers={"Authorization": f"Token {token}", "Connection": "close"},
                timeout=30,
            )
            statuses.append(answer.status_code)
        assert statuses.count(200) == 4 and statuses.count(429) == 8, statuses
    finally:
        proc.terminate()
        proc.wait(timeout=30)
