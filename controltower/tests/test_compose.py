"""deploy/compose.yaml, the production topology in a file: valid against the Compose
Specification's own JSON schema (testsupport/vendor/compose-spec.json, from the
compose-spec/compose-spec repository, Apache-2.0), and wired so that it can work —
every name it uses is a setting the project reads, every secret it mounts is declared, and the
control tier points at the source services in the file."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
SPEC = ROOT / "testsupport" / "vendor" / "compose-spec.json"
APP_SERVICES = ("source-aws", "source-azure", "control")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def spec_errors(doc: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads(SPEC.read_text()))
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_file_is_valid_compose(compose):
    assert spec_errors(compose) == []


def test_the_validation_can_fail(compose):
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["postgres"]["ports"] = 5432  # a list, in the spec
    broken["services"]["redis"]["restrat"] = "always"  # a misspelt key
    errors = spec_errors(broken)
    assert len(errors) == 2 and "postgres" in errors[0] + errors[1] and "restrat" in errors[0] + errors[1]


def test_each_tier_serves_and_the_control_tier_runs_the_jobs(compose):
    services = compose["services"]
    for tier in APP_SERVICES:
        assert services[tier]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert services["control-worker"]["environment"]["CT_PROCESS"] == "worker"
    assert services["control-beat"]["environment"]["CT_PROCESS"] == "beat"
    # the beat schedules are the control tier's jobs: a source's beat would run them against itself
    assert not [name for name in services if name.startswith("source-") and name not in APP_SERVICES]
    assert {"postgres", "redis"} <= set(services)
    brokers = {services[t]["environment"]["CELERY_BROKER_URL"] for t in APP_SERVICES}
    assert len(brokers) == 3, (
        "each tier has its own Redis database: one tier's jobs and counts never reach another"
    )


def test_the_control_tier_fans_out_to_the_sources_in_the_file(compose):
    services = compose["services"]
    control = services["control"]["environment"]
    for pair in control["CT_SOURCES"].split(","):
        name, url = pair.split("=", 1)
        host = urlsplit(url)
        assert host.hostname == f"source-{name}" and host.port == 8000
        assert services[f"source-{name}"]["environment"]["CT_SOURCE_NAME"] == name
        assert f"CT_SOURCE_{name.upper()}_TOKEN_FILE" in control
    assert control["CT_WAREHOUSE_BACKEND"] == "none"


def test_duckdb_sources_run_one_writer_process(compose):
    for name in ("source-aws", "source-azure"):
        workers = compose["services"][name]["environment"]["GUNICORN_WORKERS"]
        assert re.fullmatch(r"\$\{\w+:-1\}", workers), workers


def test_every_mounted_secret_is_declared_and_every_file_variable_names_a_mounted_one(compose):
    declared = compose["secrets"]
    for name, service in compose["services"].items():
        mounted = set(service.get("secrets", []))
        assert mounted <= set(declared), name
        for key, value in service.get("environment", {}).items():
            if key.endswith("_FILE"):
                assert value.startswith("/run/secrets/") and value.rsplit("/", 1)[1] in mounted, (name, key)
    for secret in declared.values():
        assert secret["file"].startswith("./compose/secrets/")
    assert "deploy/compose/secrets/" in (ROOT / ".gitignore").read_text().splitlines()


def test_every_setting_the_file_sets_is_one_the_project_reads(compose):
    """A misspelt variable would be ignored without a word: each must be a documented setting
    (deploy/.env.example) or one of deploy/startup.sh's."""
    known = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / "deploy" / ".env.example").read_text(), re.M))
    known |= set(re.findall(r"\b(CT_PROCESS|GUNICORN_\w+)\b", (ROOT / "deploy" / "startup.sh").read_text()))
    for name in APP_SERVICES:
        for key in compose["services"][name]["environment"]:
            base = key.removesuffix("_FILE")
            assert key in known or base in known, (name, key)


def test_the_databases_the_services_name_are_created(compose):
    initdb = (ROOT / "deploy" / "compose" / "initdb" / "10-tier-databases.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+)", initdb))
    tiers = {s.removeprefix("database_url_") for s in compose["secrets"] if s.startswith("database_url_")}
    assert created == {f"ct_{tier}" for tier in tiers} == {"ct_aws", "ct_azure", "ct_control"}
    assert "@postgres:5432/ct_<tier>" in (ROOT / "README.md").read_text()  # the recipe for each URL
