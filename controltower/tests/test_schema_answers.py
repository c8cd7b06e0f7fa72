"""The published schemas tell the truth about full answers. The fuzzer (test_fuzz.py) checks every
answer it provokes, but on a store with no governance records most lists are empty and most
optional parts absent. Here the live estate of test_fuzz.py (a source with the demo telemetry, a
control tier over it) first gets governance records of every kind through the API (policy and DQ
assignments, exceptions proposed and due for review, runbook governance), then every read route
of both tiers is asked once and its answer validated against the tier's own schema (schema.yml,
schema-control.yml), as are the writes' answers."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import schemathesis

from controltower.tier import CONTROL, SOURCE
from testsupport.tiers import SCHEMA_FILES

from .fuzz_estate import fuzz_estate

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("CT_TEST_DB") == "postgres", reason="checked in the SQLite pass"),
]
SCHEMAS = {tier: schemathesis.openapi.from_path(ROOT / SCHEMA_FILES[tier]) for tier in (SOURCE, CONTROL)}
# What a read needs beyond its path parameters to answer in full (a JSON export, not the CSV).
QUERY = {
    "/export": {"export_format": "json"},
    "/api/aggregate/governance/drilldown": {"drilldown": "sla_pressure"},
    "/api/aggregate/pipelines/{pipeline_id}/runs": {"source": "aws"},
}


def _when(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def estate():
    """The live estate, with governance records of every kind written through the source's API;
    every write's answer is checked against the source's schema on the way."""
    live = fuzz_estate()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {live.token}"
    pipelines = session.get(live.source.url + "/api/pipelines", params={"limit": 3}).json()["items"]
    first, second = pipelines[0], pipelines[1]
    writes = [
        ("/api/policies/profiles/assign", {"scope": "team", "target_id": first["team"], "profile": "strict"}),
        (
            "/api/policies/profiles/assign",
            {
                "scope": "pipeline",
                "target_id": first["pipeline_id"],
                "profile": "relaxed",
                "reason": "backfill window",
                "is_exception": True,
                "exception_expires_at": _when(30),
                "review_due_at": _when(3),
                "waiver_template": "Waived until the backfill ends.",
            },
        ),
        ("/api/dq/standards/upsert", {"scope": "domain", "target_id": first["domain"], "max_failures_7d": 1}),
        (
            "/api/dq/standards/upsert",
            {
                "scope": "pipeline",
                "target_id": second["pipeline_id"],
                "runbook_required": False,
                "is_exception": True,
                "exception_expires_at": _when(10),
                "reason": "runbook being written",
            },
        ),
        (
            "/api/runbooks/governance/upsert",
            {"pipeline_id": first["pipeline_id"], "state": "in_progress", "owner": "ops", "notes": "drafted"},
        ),
        ("/api/runbooks/governance/upsert", {"pipeline_id": second["pipeline_id"], "state": "open"}),
        ("/api/runbooks/governance/remove", {"pipeline_id": second["pipeline_id"], "reason": "duplicate"}),
    ]
    for path, body in writes:
        response = session.post(live.source.url + path, json=body)
        assert response.status_code == 200, (path, response.text)
        SCHEMAS[SOURCE][path]["POST"].validate_response(response)
    runs = session.get(f"{live.source.url}/api/pipelines/{first['pipeline_id']}/runs").json()["items"]
    return live, session, {"{pipeline_id}": first["pipeline_id"], "{run_id}": runs[0]["run_id"]}


def reads(tier: str) -> list[str]:
    return [
        path
        for path, methods in SCHEMAS[tier].raw_schema["paths"].items()
        if "get" in methods and path not in ("/api/schema/",)
    ]


def check(estate, tier: str, path: str) -> None:
    live, session, ids = estate
    url = (live.source.url if tier == SOURCE else live.control.url) + path
    for name, value in ids.items():
        url = url.replace(name, value)
    params = QUERY.get(path, QUERY["/export"] if path.endswith("/export") else {})
    response = session.get(url, params=params)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"].startswith("application/json")
    SCHEMAS[tier][path]["GET"].validate_response(response)


@pytest.mark.parametrize("path", reads(SOURCE))
def test_each_source_answer_is_what_the_schema_says(estate, path):
    check(estate, SOURCE, path)


@pytest.mark.parametrize("path", reads(CONTROL))
def test_each_control_tier_answer_is_what_the_schema_says(estate, path):
    check(estate, CONTROL, path)
