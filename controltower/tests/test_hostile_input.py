"""Hostile input, by hand: NUL bytes and very long strings in paths and query strings, wrong content
types, bodies over CT_MAX_BODY_BYTES (413), deeply nested JSON, repeated and malformed numbers;
plus regression tests for what the fuzzer found (test_fuzz.py). Every answer is a 4xx with the
error envelope, never a 500. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from aggregate_app import breaker
from testsupport.stubs import StubSource

pytestmark = pytest.mark.django_db

READS = [
    "/api/pipelines/{v}",
    "/api/pipelines/{v}/runs",
    "/api/explain/run/{v}",
    "/api/policies/history?target_id={v}",
    "/api/policies/effective?pipeline_id={v}",
    "/api/dq/history?target_id={v}",
    "/api/runbooks?search={v}",
    "/api/runbooks/governance/history?target_id={v}",
    "/api/pipelines?team={v}",
    "/api/scorecards/teams?team={v}",
]
WRITES = [
    "/api/policies/assign",
    "/api/dq/standards/upsert",
    "/api/runbooks/governance/upsert",
    "/api/v1/lineage",
]


def envelope(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    return response.json()["error"]


@pytest.fixture
def admin(client_for, governance_admin, warehouse_dir) -> APIClient:
    return client_for(governance_admin)


@pytest.fixture
def warehouse_dir(settings, tmp_path):
    from pipelines_app.warehouse import get_warehouse, reset_warehouse

    reset_warehouse()
    settings.CT_WAREHOUSE_BACKEND, settings.CT_DUCKDB_PATH = "duckdb", tmp_path / "t.duckdb"
    get_warehouse().create_schema()
    yield
    reset_warehouse()


@pytest.mark.parametrize(
    "value", ["%00", "p%002", "a" * 5000, "%F0%9F%92%A5" * 500, "%FF%FE", "..%2F..%2Fetc"]
)
@pytest.mark.parametrize("template", READS)
def test_nul_bytes_long_and_odd_strings_in_path_and_query_are_never_a_500(admin, template, value):
    response = admin.get(template.format(v=value))
    assert response.status_code in (200, 400, 404), (response.status_code, response.content[:300])
    if response.status_code != 200:
        assert set(response.json()) == {"error"}


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/plain", "scope=team"),
        ("application/x-www-form-urlencoded", "scope=team"),
        ("application/xml", "<a/>"),
    ],
)
def test_wrong_content_types_are_415(admin, path, content_type, body):
    error = envelope(admin.post(path, body, content_type=content_type), 415)
    assert error["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", WRITES)
def test_a_body_over_the_limit_is_413(admin, settings, path):
    settings.CT_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = '{"reason": "' + "x" * 20_000 + '"}'
    error = envelope(admin.post(path, big, content_type="application/json"), 413)
    assert error["code"] == "payload_too_large"


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("depth", [100, 100_000])
def test_deep_json_is_refused_not_a_crash(admin, path, depth):
    body = "[" * depth + "]" * depth
    response = admin.post(path, body, content_type="application/json")
    if response.status_code == 207:  # a batch of one bad item: reported by index
        assert response.json()["rejected"][0]["index"] == 0
    else:
        envelope(response, 400)


def test_malformed_json_is_400(admin):
    for path in WRITES:
        envelope(admin.post(path, '{"scope": ', content_type="application/json"), 400)


@pytest.mark.parametrize(
    "query", ["days=1_0", "days=%207", "days=%D9%A7", "days=7&days=8", "days=", "days=7.0"]
)
def test_integers_are_ascii_digits_given_once(admin, query):
    error = envelope(admin.get(f"/api/costs/trend?{query}"), 400)
    assert error["details"]["parameter"] == "days"


def test_an_unknown_format_is_400_naming_the_formats(admin):
    error = envelope(admin.get("/api/summary?format=xml"), 400)
    assert error["details"] == {"parameter": "format", "choices": ["json"]}
    error = envelope(admin.get("/api/policies/history/export?format=xml"), 400)
    assert error["details"]["choices"] == ["csv", "json"]


@pytest.mark.parametrize("field, value", [("reason", 0), ("target_id", 7), ("is_exception", "true")])
def test_write_fields_take_json_types_at_their_word(admin, field, value):
    body = {"scope": "team", "target_id": "payments", "profile": "strict", field: value}
    error = envelope(admin.post("/api/policies/assign", body, format="json"), 400)
    assert field in error["details"]["fields"]


def test_options_on_an_export_asked_for_csv_is_not_a_500(admin):
    """Fuzz finding: the CSV renderer failed on anything but an export (OPTIONS' description)."""
    response = admin.options("/api/policies/history/export?export_format=csv&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "key,value"


@pytest.mark.parametrize(
    "query",
    ["export_format=null&export_format=null", "export_format=", "format=", "format=&export_format=csv"],
)
def test_a_bad_export_format_is_400_not_a_500(admin, query):
    """Fuzz finding: a repeated export_format raised again while the error was being rendered."""
    for path in ("/api/policies/history/export", "/api/scorecards/teams/export"):
        response = admin.get(f"{path}?{query}")
        assert response.status_code == 400, response.content[:300]
        assert b"invalid_parameter" in response.content  # JSON, or code,message when CSV was asked for


@pytest.fixture
def one_stub(settings, monkeypatch, control_tier):
    stub = StubSource("aws").start()
    settings.CT_SOURCES, settings.CT_SOURCE_RETRIES = f"aws={stub.url}", 0
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", "aws-service-token")
    breaker.reset()
    yield stub
    stub.stop()
    breaker.reset()


@pytest.mark.parametrize(
    "body", ['{"pipeline_id": "p1", "notes": 5305750133593350206390272}', '{"pipeline_id": "\\udb3e"}']
)
def test_the_control_tier_forwards_any_json_a_source_may_judge(one_stub, admin, body):
    """Fuzz finding: integers past 64 bits and lone surrogates made the control tier's encoder
    raise (a 502 blaming the source); they are forwarded and the source decides."""
    one_stub.reply("/api/runbooks/governance/upsert", {"error": {"code": "invalid_request"}}, status=400)
    path = "/api/aggregate/runbooks/governance/upsert?source=aws"
    response = admin.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert len(one_stub.calls("/api/runbooks/governance/upsert")) == 1


def test_the_schema_calls_blank_what_the_serializers_call_blank(admin):
    """Fuzz finding: "\\x1c" is whitespace to Python (DRF trims it, then refuses a blank target)
    but not to every regex engine's \\s; the schema's pattern spells the characters out."""
    import re

    from controltower.api.schema import NOT_BLANK

    for char in ["\x1c", "\x85", "\xa0", "\u3000", "\t", " ", "\ufeff", "a", "\u00e9"]:
        assert (re.fullmatch(NOT_BLANK, char) is None) == (char.strip() == ""), repr(char)
    body = {"scope": "domain", "target_id": "\x1c"}
    assert admin.post("/api/policies/remove", body, format="json").status_code == 400


def test_exports_document_their_csv_errors():
    """Fuzz finding: an export asked for as CSV answers its errors as CSV, which the schema now says."""
    import yaml

    from controltower.tests.test_fuzz import ROOT

    paths = yaml.safe_load((ROOT / "schema.yml").read_text())["paths"]
    for path in ("/api/policies/history/export", "/api/scorecards/teams/export"):
        assert "text/csv" in paths[path]["get"]["responses"]["400"]["content"]
