"""`manage.py smoke api|ui|truth` against real servers on localhost: they pass on a healthy estate
and fail naming the broken check when a server breaks its contract."""

import json
import re
import subprocess

import pytest

from testsupport.live_servers import BUILD, PY, ROOT, base_env, free_port, live_estate, start_control

pytestmark = pytest.mark.slow

API_CHECKS = [
    "health",
    "version",
    "summary_contract",
    "pipelines",
    "runs_pagination",
    "pipeline_sla",
    "costs",
    "impact",
    "lineage_deprecation",
]
UI_CHECKS = [
    "health",
    "version",
    "aggregate_summary",
    "aggregate_summary_contract",
    "aggregate_costs",
    "aggregate_pipelines_aws",
    "aggregate_pipelines_both",
    "aggregate_incidents",
    "aggregate_pipeline_sla",
    "aggregate_runs_pagination_aws",
    "semantic_pipeline_in_aws",
    "semantic_pipeline_in_both",
    "semantic_aws_runs_7d",
    "semantic_aws_last_end_ts",
    "semantic_both_runs_7d_ge_aws",
]


@pytest.fixture(scope="module")
def live_tiers():
    return live_estate()


def smoke(live_tiers, *args: str, **env: str) -> subprocess.CompletedProcess:
    cli_dir = live_tiers.base / "cli"
    cli_dir.mkdir(exist_ok=True)
    return subprocess.run(
        [PY, "manage.py", "smoke", *args],
        cwd=ROOT,
        env=base_env(cli_dir, **env),
        capture_output=True,
        text=True,
        timeout=180,
    )


def checks(done: subprocess.CompletedProcess) -> dict[str, tuple[str, str]]:
    """{check name: (PASS|FAIL, reason)} from the command's check lines."""
    found = {}
    for line in done.stdout.splitlines():
        status, _, rest = line.partition(" ")
        name, sep, reason = rest.partition(": ")
        if status in ("PASS", "FAIL") and sep and " " not in name:
            found[name] = (status, reason)
    return found


def failed(done) -> set[str]:
    return {name for name, (status, _) in checks(done).items() if status == "FAIL"}


def test_api_smoke_passes_on_a_healthy_source(live_tiers, tmp_path):
    report = tmp_path / "api.json"
    done = smoke(
        live_tiers, "api", "--url", live_tiers.aws.url, "--token", live_tiers.token, "--json", str(report)
    )
    assert list(checks(done)) == API_CHECKS
    assert failed(done) == set(), done.stdout
    assert done.returncode == 0
    assert f"PASS api smoke on {live_tiers.aws.url}: 9/9 checks passed" in done.stdout
    data = json.loads(report.read_text())
    assert data["status"] == "PASS" and [c["name"] for c in data["checks"]] == API_CHECKS
    assert checks(done)["version"][1] == ", ".join(f"{k.lower()}={v}" for k, v in BUILD.items())


def test_api_smoke_names_the_version_check_when_build_identity_is_empty(live_tiers):
    # the azure source runs without BUILD_ID / GIT_SHA / RELEASE_TAG
    done = smoke(live_tiers, "api", "--url", live_tiers.azure.url, "--token", live_tiers.token)
    assert done.returncode == 1
    assert failed(done) == {"version"}, done.stdout
    assert checks(done)["version"] == (
        "FAIL",
        "/version build.build_id, build.git_sha, build.release_tag empty"
        " (stamp BUILD_ID / GIT_SHA / RELEASE_TAG)",
    )
    assert "api smoke failed: version" in done.stderr


def test_api_smoke_without_a_token_fails_the_protected_checks(live_tiers):
    done = smoke(live_tiers, "api", "--url", live_tiers.aws.url)
    assert done.returncode == 1
    assert checks(done)["health"][0] == checks(done)["version"][0] == "PASS"
    status, reason = checks(done)["summary_contract"]
    assert status == "FAIL" and "HTTP 401" in reason


def test_api_smoke_against_a_stopped_server_reports_it_unreachable(live_tiers):
    url = f"http://127.0.0.1:{free_port()}"
    done = smoke(live_tiers, "api", "--url", url, "--token", live_tiers.token)
    assert done.returncode == 1
    assert failed(done) == set(API_CHECKS)
    assert checks(done)["health"][1] == f"GET /health failed: {url} unreachable (Connection refused)"


def test_ui_smoke_passes_on_the_control_tier(live_tiers, tmp_path):
    report = tmp_path / "ui.json"
    done = smoke(
        live_tiers, "ui", "--url", live_tiers.control.url, "--token", live_tiers.token, "--json", str(report)
    )
    assert list(checks(done)) == UI_CHECKS
    assert failed(done) == set(), done.stdout
    assert done.returncode == 0
    assert json.loads(report.read_text())["passed"] is True
    assert re.fullmatch(r"aws\.runs_7d=\d{4,} > 1000", checks(done)["semantic_aws_runs_7d"][1])


def test_ui_smoke_names_the_stopped_source(live_tiers):
    stopped = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the azure source is down
    control = start_control("control-azure-down", {"aws": live_tiers.aws.url, "azure": stopped})
    done = smoke(live_tiers, "ui", "--url", control.url, "--token", live_tiers.token)
    assert done.returncode == 1
    result = checks(done)
    assert result["aggregate_pipelines_aws"][0] == result["aggregate_runs_pagination_aws"][0] == "PASS"
    for name in ("aggregate_summary", "aggregate_pipelines_both", "semantic_pipeline_in_both"):
        status, reason = result[name]
        assert status == "FAIL" and "source azure degraded" in reason, (name, reason)


def test_ui_smoke_semantic_threshold_comes_from_the_environment(live_tiers):
    done = smoke(
        live_tiers,
        "ui",
        "--url",
        live_tiers.control.url,
        "--token",
        live_tiers.token,
        ASSERT_RUNS7D_GT="99999",
    )
    assert done.returncode == 1
    assert failed(done) == {"semantic_aws_runs_7d"}
    reason = checks(done)["semantic_aws_runs_7d"][1]
    assert re.fullmatch(r"aws\.runs_7d=\d+, want > 99999 \(ASSERT_RUNS7D_GT\)", reason)


def test_ui_smoke_names_a_missing_semantic_pipeline(live_tiers):
    env = {"SEMANTIC_PIPELINE_ID": "p404"}
    done = smoke(live_tiers, "ui", "--url", live_tiers.control.url, "--token", live_tiers.token, **env)
    assert checks(done)["semantic_pipeline_in_aws"] == (
        "FAIL",
        "pipeline p404 not found in /api/aggregate/pipelines?source=aws",
    )
    assert done.returncode == 1


def truth(live_tiers, artifacts, **expected):
    env = {**BUILD, **expected}
    return smoke(
        live_tiers,
        "truth",
        "--api-url",
        live_tiers.aws.url,
        "--ui-url",
        live_tiers.control.url,
        "--token",
        live_tiers.token,
        "--artifacts",
        str(artifacts),
        **env,
    )


def test_truth_check_agrees_with_the_build_and_indexes_the_artifacts(live_tiers, tmp_path):
    (tmp_path / "api_smoke.log").write_text("PASS health: ok\n")
    done = truth(live_tiers, tmp_path)
    assert failed(done) == set(), done.stdout
    assert done.returncode == 0
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["expected_build"] == {k.lower(): v for k, v in BUILD.items()}
    assert index["truth"]["status"] == "PASS"
    assert [a["path"] for a in index["artifacts"]] == ["api_smoke.log"]
    assert len(index["artifacts"][0]["sha256"]) == 64
    assert (tmp_path / "index.md").read_text().startswith("# Smoke artifacts — PASS truth smoke")


def test_truth_check_names_the_tier_that_disagrees(live_tiers, tmp_path):
    done = truth(live_tiers, tmp_path, BUILD_ID="build-9999")
    assert done.returncode == 1
    assert {"truth_api_version", "truth_ui_version", "truth_ui_build_banner"} <= failed(done)
    reason = checks(done)["truth_api_version"][1]
    assert reason == "API /version: build_id expected 'build-9999' got 'build-4711'"
    assert json.loads((tmp_path / "index.json").read_text())["truth"]["status"] == "FAIL"


def test_truth_check_needs_an_expected_build(live_tiers, tmp_path):
    done = truth(live_tiers, tmp_path, BUILD_ID="", GIT_SHA="", RELEASE_TAG="")
    assert checks(done)["truth_expected_identity"] == (
        "FAIL",
        "no expected BUILD_ID, GIT_SHA, RELEASE_TAG given (export them or pass --expect-*)",
    )
    assert done.returncode == 1
