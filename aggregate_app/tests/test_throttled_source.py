"""The control tier over a live source that throttles hard (3 calls a person, 2 writes a person):
the tier's fan-out, one service account calling for everyone, is not held to the per-person rate,
and one person's exhausted write rate at the source is that person's alone (a 429 with
Retry-After passed back to them, the source not marked down for the others)."""

import pytest
import requests

from aggregate_app import breaker
from testsupport.live_servers import Server, manage, service_account, tier_env
from testsupport.personas import make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
RUNBOOK = {"pipeline_id": "p1", "state": "open", "owner": "ops@example.com", "reason": "no runbook"}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A source API (empty warehouse) whose per-person rate is 3 a day and writes 2 a day."""
    data_dir = tmp_path_factory.mktemp("throttled-source")
    duck = {"CT_WAREHOUSE_BACKEND": "duckdb"}
    manage(data_dir, "migrate", "--noinput", "-v", "0", **duck)
    manage(data_dir, "warehouse_init", **duck)
    token = service_account(data_dir)
    person = manage(data_dir, "ct_user", "olive", "--role", "viewer", **duck).splitlines()[-1]
    for name, role in (("otto", "operator"), ("olga", "operator"), ("vera", "viewer")):
        manage(data_dir, "ct_user", name, "--role", role, **duck)  # the people the tier acts for
    rates = {"CT_THROTTLE_USER": "3/day", "CT_THROTTLE_WRITES": "2/day"}
    env = tier_env(data_dir, CT_SOURCE_NAME="aws", **duck, **rates)
    server = Server("aws", data_dir, env).start()
    try:
        yield server.wait(), token, person
    finally:
        server.stop()


@pytest.fixture
def control(source, settings, monkeypatch, control_tier):
    server, token, _ = source
    settings.CT_SOURCES = f"aws={server.url}"
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", token)
    breaker.reset()
    yield server
    breaker.reset()


def test_the_fan_out_is_not_held_to_the_per_person_rate(control, source, client_for, viewer):
    server, _, person = source
    direct = [
        requests.get(
            f"{server.url}/api/policies/profiles", headers={"Authorization": f"Token {person}"}
        ).status_code
        for _ in range(4)
    ]
    assert direct == [200, 200, 200, 429]  # the source's rate is in force for a person
    vera = client_for(viewer)
    for path in ["/api/aggregate/policies/profiles", "/api/aggregate/summary"] * 4:
        answer = vera.get(path, {"source": "aws"})
        assert answer.status_code == 200, answer.content[:300]
        assert answer.json()["_meta"]["sources"]["aws"]["ok"] is True


def test_one_persons_writes_at_the_source_do_not_stop_anothers(control, client_for):
    otto, olga = (client_for(make_user(name, "operator")) for name in ("otto", "olga"))
    path = "/api/aggregate/runbooks/governance/upsert?source=aws"
    for _ in range(2):
        assert otto.post(path, RUNBOOK, format="json").status_code == 200
    refused = otto.post(path, RUNBOOK, format="json")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert (error["code"], error["details"]["scope"], error["details"]["source"]) == (
        "throttled",
        "writes",
        "aws",
    )
    assert refused["Retry-After"] == str(error["details"]["retry_after"])
    assert olga.post(path, RUNBOOK, format="json").status_code == 200
    assert breaker.breaker_for("aws", control.url).allow()
