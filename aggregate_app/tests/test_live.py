"""The control tier over two live source APIs (gunicorn, demo estates from `load_demo`), and over a
live source plus a stub that misbehaves: the seed's semantic checks, degraded sources, writes."""

import time

import pytest

from .live_sources import live_sources
from .stubs import StubSource

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def live():
    return live_sources()


@pytest.fixture
def control(live, settings, monkeypatch, control_tier):
    """This test process as the control tier over the two live sources."""
    from aggregate_app import breaker

    settings.CT_SOURCES = ",".join(f"{n}={s.url}" for n, s in live.items())
    settings.CT_SOURCE_TIMEOUT_S = 10.0
    for name, source in live.items():
        monkeypatch.setenv(f"CT_SOURCE_{name.upper()}_TOKEN", source.token)
    breaker.reset()
    yield live
    breaker.reset()


@pytest.fixture
def api(client_for, viewer, control_tier):
    """A viewer's client of this test process, serving as the control tier."""
    return client_for(viewer)


def ok(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    return response.json()


def p2_rows(api, source: str) -> list[dict]:
    body = ok(api.get(f"/api/aggregate/pipelines?source={source}&limit=500"))
    assert body["_meta"]["degraded"] is False, body["_meta"]
    return [p for p in body["items"] if p["pipeline_id"] == "p2"]


def test_seed_semantic_checks(control, api):
    (aws,) = p2_rows(api, "aws")
    (both,) = p2_rows(api, "both")
    assert aws["runs_7d"] > 1000
    assert aws["last_end_ts"]
    assert both["runs_7d"] >= aws["runs_7d"]
    assert both["runs_7d"] == sum(row["runs_7d"] for row in both["by_source"].values())
    assert both["last_end_ts"] >= aws["last_end_ts"]


def test_aws_runs_at_offset_0_and_3_differ(control, api):
    pages = [ok(api.get(f"/api/aggregate/pipelines/p2/runs?source=aws&offset={o}&limit=3")) for o in (0, 3)]
    first, second = ({r["run_id"] for r in page["items"]} for page in pages)
    assert len(first) == 3 and len(second) == 3 and not first & second
    assert pages[0]["total"] > 1000


def test_summary_adds_the_sources(control, api, client_for, viewer):
    both = ok(api.get("/api/aggregate/summary?source=both"))
    parts = [ok(api.get(f"/api/aggregate/summary?source={n}")) for n in ("aws", "azure")]
    assert both["pipelines"] == sum(p["pipelines"] for p in parts) == 80
    assert both["cost_7d_aud"] == pytest.approx(sum(p["cost_7d_aud"] for p in parts), abs=0.011)
    assert both["_meta"]["aws_ok"] and both["_meta"]["azure_ok"]


def test_impact_unions_both_graphs(control, api):
    both = ok(api.get("/api/aggregate/pipelines/p2/impact"))
    ids = {n["id"] for n in both["nodes"]}
    for name in ("aws", "azure"):
        one = ok(api.get(f"/api/aggregate/pipelines/p2/impact?source={name}"))
        assert {n["id"] for n in one["nodes"]} <= ids
    assert both["nodes_count"] == len(both["nodes"])


def test_a_stopped_source_beside_a_live_one(live, api, settings, monkeypatch):
    from aggregate_app import breaker

    azure = StubSource("azure").start()
    azure.stop()
    settings.CT_SOURCES = f"aws={live['aws'].url},azure={azure.url}"
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", live["aws"].token)
    breaker.reset()
    body = ok(api.get("/api/aggregate/summary?source=both"))
    assert body["pipelines"] == 40
    assert body["_meta"]["aws_ok"] is True and body["_meta"]["azure_ok"] is False


def test_a_hanging_source_beside_a_live_one(live, api, settings, monkeypatch):
    from aggregate_app import breaker

    azure = StubSource("azure").start()
    azure.hang("/api/pipelines")
    settings.CT_SOURCES, settings.CT_SOURCE_TIMEOUT_S = f"aws={live['aws'].url},azure={azure.url}", 1.0
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", live["aws"].token)
    breaker.reset()
    try:
        started = time.monotonic()
        body = ok(api.get("/api/aggregate/pipelines?source=both&limit=500"))
        assert time.monotonic() - started < 1.8
        assert body["total"] == 40 and body["_meta"]["sources"]["azure"]["error"] == "timeout"
    finally:
        azure.stop()


def test_a_write_to_both_reaches_each_live_source(control, client_for, governance_admin):
    admin = client_for(governance_admin)
    target = f"live-{time.monotonic_ns()}"
    response = admin.post(
        "/api/aggregate/policies/assign?source=both",
        {"scope": "team", "target_id": target, "profile": "strict", "reason": "aggregate write test"},
        format="json",
    )
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert set(body["results"]) == {"aws", "azure"} and all(r["ok"] for r in body["results"].values())
    history = ok(admin.get(f"/api/aggregate/policies/history?source=both&target_id={target}"))
    rows = [r for r in history["items"] if r["target_id"] == target]
    assert sorted(r["source"] for r in rows) == ["aws", "azure"]
    assert {r["request_id"] for r in rows} == {response["X-Request-ID"]}  # one request id across tiers


def test_the_source_audit_names_the_person_not_the_service_account(control, client_for, governance_admin):
    admin = client_for(governance_admin)
    target = f"live-actor-{time.monotonic_ns()}"
    payload = {"scope": "team", "target_id": target, "profile": "relaxed", "reason": "who did it"}
    assert admin.post("/api/aggregate/policies/assign?source=aws", payload, format="json").status_code == 200
    history = ok(admin.get(f"/api/aggregate/policies/history?source=aws&target_id={target}"))
    assert [r["changed_by"] for r in history["items"] if r["target_id"] == target] == ["gina"]


def mirrored_paths(run_id: str) -> list[str]:
    from django.urls import get_resolver

    from aggregate_app.api.views import MirrorView

    values = {"pipeline_id": "p2", "run_id": run_id}
    paths = []
    for p in get_resolver("aggregate_app.api.urls").url_patterns:
        view = p.callback.view_class
        if issubclass(view, MirrorView):
            paths.append(view.source_path.format(**values))
    return paths


def test_every_mirrored_route_answers_over_live_sources_as_the_sources_do(control, api):
    """No merge rule breaks on the real answers: the aggregate status is what aws answers
    directly (200, or the same 4xx), never a 5xx; JSON answers carry _meta."""
    import requests

    aws = control["aws"]
    run_id = ok(api.get("/api/aggregate/pipelines/p2/runs?source=aws&limit=1"))["items"][0]["run_id"]
    for path in mirrored_paths(run_id):
        direct = requests.get(aws.url + path, headers={"Authorization": f"Token {aws.token}"}, timeout=30)
        single = "/runs" in path
        aggregate_path = "/api/aggregate/" + path.removeprefix("/api/").lstrip("/")
        response = api.get(aggregate_path + ("?source=aws" if single else ""))
        assert response.status_code == direct.status_code, (path, response.content[:300])
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            assert "_meta" in response.json(), path
