"""/health and /version are public; /health tells the truth about dependencies."""

import os

import pytest

from pipelines_app.warehouse import reset_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def duckdb_file(settings, tmp_path):
    settings.CT_WAREHOUSE_BACKEND = "duckdb"
    settings.CT_DUCKDB_PATH = tmp_path / "telemetry.duckdb"
    reset_warehouse()
    yield settings.CT_DUCKDB_PATH
    reset_warehouse()


def test_health_ok_with_a_working_warehouse(anon_client, duckdb_file):
    body = anon_client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["warehouse"] == {"status": "ok", "backend": "duckdb"}
    assert body["broker"]["status"] == "ok"
    assert body["tier"] == "source"


def test_health_degraded_when_warehouse_file_is_unreadable(anon_client, duckdb_file):
    duckdb_file.write_bytes(b"this is not a duckdb database" * 100)
    response = anon_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["warehouse"]["status"] == "degraded"
    assert "CT_DUCKDB_PATH" in body["warehouse"]["error"]


def test_health_without_warehouse_is_not_degraded(anon_client, settings):
    settings.CT_WAREHOUSE_BACKEND = "none"
    reset_warehouse()
    body = anon_client.get("/health").json()
    assert body["warehouse"]["status"] == "not_configured"
    assert body["status"] == "ok"


def test_health_degraded_when_broker_is_down(anon_client, settings, duckdb_file):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    body = anon_client.get("/health").json()
    assert body["broker"]["status"] == "degraded"
    assert body["status"] == "degraded"


def test_version_shows_build_fields(anon_client, settings):
    settings.BUILD_ID, settings.GIT_SHA, settings.RELEASE_TAG = "build-42", "abc1234", "v1.2.3"
    body = anon_client.get("/version").json()
    assert body["build"] == {"build_id": "build-42", "git_sha": "abc1234", "release_tag": "v1.2.3"}


def test_schema_and_docs_are_served(client_for, viewer):
    client = client_for(viewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/health" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_health_reports_the_governance_engine_in_use(anon_client, duckdb_file):
    expected = "postgresql" if os.environ.get("CT_TEST_DB") == "postgres" else "sqlite"
    assert anon_client.get("/health").json()["database"] == {"status": "ok", "engine": expected}


def test_health_and_pages_show_the_same_build(anon_client, settings, duckdb_file):
    settings.BUILD_ID, settings.GIT_SHA, settings.RELEASE_TAG = "build-7", "def5678", "v2.0.0"
    assert anon_client.get("/health").json()["build"] == {
        "build_id": "build-7",
        "git_sha": "def5678",
        "release_tag": "v2.0.0",
    }
    page = anon_client.get("/").content.decode()  # the source's root page
    assert 'data-build-id="build-7" data-git-sha="def5678" data-release-tag="v2.0.0"' in page
