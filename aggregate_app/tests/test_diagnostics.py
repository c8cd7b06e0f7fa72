"""Ops diagnostics: build fingerprints and their reconciliation, assisted triage posture per
source, CI workflow outcomes (a stub GitHub API), smoke results, and the JSON snapshot download."""

from datetime import UTC, datetime, timedelta

import pytest

from aggregate_app import diagnostics
from aggregate_app.models import SmokeRun
from testsupport.stubs import StubSource

pytestmark = pytest.mark.django_db

RELEASE = {"build_id": "b-1", "git_sha": "abc123", "release_tag": "v1.2.0"}


def version(build: dict) -> dict:
    return {"build": build, "service": "control-tower", "tier": "source"}


@pytest.fixture
def stubbed_sources(stub_sources, settings):
    settings.BUILD_ID, settings.GIT_SHA, settings.RELEASE_TAG = "b-0", "abc123", "v1.2.0"
    settings.GITHUB_REPOSITORY = settings.GITHUB_TOKEN = ""
    stubs = stub_sources("aws", "azure")
    for stub in stubs.values():
        stub.reply("/version", version(RELEASE))
    stubs["aws"].reply("/api/triage/assisted/telemetry", {"calls_24h": 12, "fallbacks_24h": 1})
    stubs["aws"].reply("/api/triage/assisted/provider/status", {"provider": "bedrock", "configured": True})
    return stubs


@pytest.fixture
def api(client_for, viewer):
    return client_for(viewer)


def test_reconcile_verdicts():
    same = {"git_sha": "abc", "release_tag": "v1"}
    assert diagnostics.reconcile(same, {"aws": same, "azure": same})["verdict"] == "consistent"
    drift = diagnostics.reconcile(same, {"aws": same, "azure": {"git_sha": "def", "release_tag": "v1"}})
    assert drift["verdict"] == "drift"
    assert drift["differences"] == [
        {"field": "git_sha", "values": {"control": "abc", "aws": "abc", "azure": "def"}}
    ]
    missing = diagnostics.reconcile(same, {"aws": same, "azure": None})
    assert (missing["verdict"], missing["missing"]) == ("incomplete", ["azure"])
    blank = {"git_sha": "", "release_tag": ""}
    assert diagnostics.reconcile(blank, {"aws": blank})["verdict"] == "unidentified"


def test_diagnostics_fingerprints_every_tier(stubbed_sources, api):
    response = api.get("/api/aggregate/ops/diagnostics")
    assert response.status_code == 200
    body = response.json()
    assert body["builds"]["control"] == {
        "build_id": "b-0",
        "git_sha": "abc123",
        "release_tag": "v1.2.0",
        "tier": "control",
    }
    assert body["builds"]["sources"]["aws"] == {"ok": True, "build": RELEASE, "error": None}
    assert body["reconciliation"]["verdict"] == "consistent"
    assert body["_meta"]["aws_ok"] is True and body["_meta"]["azure_ok"] is True


def test_a_source_on_another_release_is_drift(stubbed_sources, api):
    stubbed_sources["azure"].reply(
        "/version", version({**RELEASE, "git_sha": "fff999", "release_tag": "v1.1.9"})
    )
    reconciliation = api.get("/api/aggregate/ops/diagnostics").json()["reconciliation"]
    assert reconciliation["verdict"] == "drift"
    assert [d["field"] for d in reconciliation["differences"]] == ["git_sha", "release_tag"]


def test_a_stopped_source_makes_the_verdict_incomplete_not_an_error(stubbed_sources, api):
    stubbed_sources["azure"].stop()
    response = api.get("/api/aggregate/ops/diagnostics")
    assert response.status_code == 200
    body = response.json()
    assert body["builds"]["sources"]["azure"] == {"ok": False, "build": None, "error": "connection refused"}
    assert body["reconciliation"]["verdict"] == "incomplete"
    assert body["_meta"]["azure_ok"] is False


def test_assisted_posture_per_source_with_capability_rows_where_missing(stubbed_sources, api):
    body = api.get("/api/aggregate/ops/diagnostics").json()
    assert body["assisted"]["aws"] == {
        "telemetry": {"calls_24h": 12, "fallbacks_24h": 1},
        "provider_status": {"provider": "bedrock", "configured": True},
    }
    assert body["assisted"]["azure"] == {"telemetry": None, "provider_status": None}
    rows = {(c["source"], c["endpoint"]): c["status"] for c in body["_meta"]["capabilities"]}
    assert rows[("azure", "/api/triage/assisted/telemetry")] == "unsupported"
    assert rows[("azure", "/api/triage/assisted/provider/status")] == "unsupported"


def test_ci_is_not_configured_without_github_settings_and_that_is_not_a_failure(stubbed_sources, api):
    response = api.get("/api/aggregate/ops/diagnostics")
    assert response.status_code == 200
    ci = response.json()["ci"]
    assert ci["status"] == "not_configured" and "GITHUB_REPOSITORY" in ci["reason"]
    github_row = [c for c in response.json()["_meta"]["capabilities"] if c["source"] == "github"]
    assert github_row[0]["status"] == "not_configured"


@pytest.fixture
def github(settings):
    stub = StubSource("github").start()
    settings.GITHUB_API_URL, settings.GITHUB_REPOSITORY, settings.GITHUB_TOKEN = (
        stub.url,
        "acme/ct",
        "gh-token",
    )
    yield stub
    stub.stop()


def run(name, event, conclusion, n):
    return {
        "name": name,
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "run_number": n,
        "head_sha": f"sha{n}",
        "html_url": f"https://github.com/acme/ct/actions/runs/{n}",
        "created_at": f"2026-11-20T0{n}:00:00Z",
        "path": ".github/workflows/x.yml",
    }


def test_recent_ci_workflow_outcomes_from_github(stubbed_sources, api, github):
    github.reply(
        "/repos/acme/ct/actions/runs",
        {
            "workflow_runs": [
                run("Scheduled smoke", "schedule", "failure", 9),
                run("Release smoke", "release", "success", 8),
                run("Deploy to Azure", "push", "success", 7),
                run("Lint", "push", "success", 6),
                run("Scheduled smoke", "schedule", "success", 5),
            ]
        },
    )
    ci = api.get("/api/aggregate/ops/diagnostics").json()["ci"]
    assert ci["status"] == "ok" and ci["repository"] == "acme/ct"
    assert ci["latest"] == {"release_smoke": "success", "scheduled_smoke": "failure", "deploy": "success"}
    assert [r["run_number"] for r in ci["workflows"]["scheduled_smoke"]] == [9, 5]
    (call,) = github.requests
    assert call.headers["Authorization"] == "Bearer gh-token"


def test_github_unreachable_degrades_ci_only(stubbed_sources, api, github):
    github.reply("/repos/acme/ct/actions/runs", {"message": "Bad credentials"}, status=401)
    response = api.get("/api/aggregate/ops/diagnostics")
    assert response.status_code == 200
    ci = response.json()["ci"]
    assert ci["status"] == "unreachable" and "401" in ci["reason"]
    assert response.json()["reconciliation"]["verdict"] == "consistent"


def test_smoke_results_are_not_available_before_the_first_scheduled_run(stubbed_sources, api):
    smoke = api.get("/api/aggregate/ops/diagnostics").json()["smoke"]
    assert smoke["status"] == "not_available" and smoke["reason"]


def smoke_run(target, status, hour, scheduled=True, failed=()):
    at = datetime(2026, 11, 20, hour, tzinfo=UTC)
    return SmokeRun.objects.create(
        contract="api",
        target_name=target,
        target_url=f"https://{target}.example.com",
        status=status,
        window_start=at if scheduled else None,
        checks_total=9,
        checks_failed=len(failed),
        failed_checks=list(failed),
        started_at=at,
        finished_at=at + timedelta(seconds=4),
    )


def test_recent_scheduled_smoke_runs_newest_first(stubbed_sources, api):
    smoke_run("aws", "PASS", 0)
    smoke_run("aws", "FAIL", 6, failed=["version"])
    smoke_run("azure", "PASS", 5)
    smoke_run("aws", "PASS", 7, scheduled=False)  # a manual run: not a scheduled result
    smoke = api.get("/api/aggregate/ops/diagnostics").json()["smoke"]
    assert smoke["status"] == "ok"
    assert smoke["latest"] == {"api:aws": "FAIL", "api:azure": "PASS"}
    assert [(r["target_name"], r["status"], r["started_at"][:13]) for r in smoke["results"]] == [
        ("aws", "FAIL", "2026-11-20T06"),
        ("azure", "PASS", "2026-11-20T05"),
        ("aws", "PASS", "2026-11-20T00"),
    ]
    assert smoke["results"][0]["failed_checks"] == ["version"]


def test_the_snapshot_downloads_as_a_json_file(stubbed_sources, api):
    response = api.get("/api/aggregate/ops/diagnostics?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(
        'attachment; filename="control-tower-diagnostics-'
    ) and disposition.endswith('.json"')
    assert response.json()["reconciliation"]["verdict"] == "consistent"
    assert "Content-Disposition" not in api.get("/api/aggregate/ops/diagnostics")


def test_diagnostics_need_a_login(stubbed_sources, anon_client):
    assert anon_client.get("/api/aggregate/ops/diagnostics").status_code == 401
