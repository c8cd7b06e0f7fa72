"""The published schemas tell the truth about full answers. The fuzzer (test_fuzz.py) checks every
answer it provokes, but on a store with no governance records most lists are empty and most
optional parts absent. Here the live estate of test_fuzz.py (a source with the demo telemetry, a
control tier over it) first gets governance records of every kind through the API (policy and DQ
assignments, exceptions proposed and due for review, runbook governance), then every read route
of both tiers is asked once and its answer validated against the tier's own schema (schema.yml,
schema-control.yml), as are the writes' answers. The estate has one source, so each control-tier
read is also merged here, by its own rule, from that source's answer and a second one that
disagrees on every figure: what a control tier over two sources answers."""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import schemathesis
from django.urls import resolve
from schemathesis.core.transport import Response

from aggregate_app.merge import Page
from controltower.tier import CONTROL, SOURCE, URLCONFS
from testsupport.live_servers import manage
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


EVALUATE = (
    "from alerting_app import collect, evaluation; evaluation.evaluate(collect.observe(), collect.downstream)"
)


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
    (dataset,) = session.get(live.source.url + "/api/datasets", params={"limit": 1}).json()["items"]
    # the control tier's alerts: one real evaluation of what the source reports
    manage(live.base / "control", "shell", "-c", EVALUATE, **live.control_settings)
    (alert,) = session.get(live.control.url + "/api/aggregate/alerts", params={"limit": 1}).json()["items"]
    return (
        live,
        session,
        {
            "{pipeline_id}": first["pipeline_id"],
            "{run_id}": runs[0]["run_id"],
            "{dataset_id}": dataset["dataset_id"],
            "{alert_id}": str(alert["id"]),
        },
    )


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


def _other_source(value):
    """The same answer as another deployment might give it: every count one more, every other
    number halved (so figures that cannot add up disagree), the rest as it is."""
    if isinstance(value, dict):
        return {k: _other_source(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_other_source(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return value + 1 if isinstance(value, int) else value / 2


def mirrored(path: str) -> bool:
    view = resolve(path.replace("{", "").replace("}", ""), urlconf=URLCONFS[CONTROL]).func.view_class
    rule = getattr(view, "rule", None)
    return bool(getattr(view, "source_path", "")) and rule is not None and rule.merge is not None


@pytest.mark.parametrize("path", [p for p in reads(CONTROL) if mirrored(p)])
def test_answers_merged_from_two_sources_are_what_the_schema_says(estate, path):
    """What a control tier over two sources would answer: the live source's answer and a second
    one that disagrees on every figure, merged by the route's own rule (aggregate_app/merge)."""
    live, session, ids = estate
    concrete = path
    for name, value in ids.items():
        concrete = concrete.replace(name, value)
    view = resolve(concrete, urlconf=URLCONFS[CONTROL]).func.view_class
    source_url = live.source.url + view.source_path.format(**{k.strip("{}"): v for k, v in ids.items()})
    params = QUERY.get(path, QUERY["/export"] if path.endswith("/export") else {})
    answer = session.get(source_url, params={k: v for k, v in params.items() if k != "source"}).json()
    meta = session.get(live.control.url + concrete, params=params).json()["_meta"]
    page = Page(0, 50) if view.rule.paged else None
    body = {**view.rule.merge({"aws": answer, "gcp": _other_source(answer)}, page), "_meta": meta}
    SCHEMAS[CONTROL][path]["GET"].validate_response(_json_response(live.control.url + concrete, body))


def _json_response(url: str, body: dict) -> Response:
    return Response(
        status_code=200,
        headers={"content-type": ["application/json"]},
        content=json.dumps(body, default=str).encode(),
        request=requests.Request("GET", url).prepare(),
        elapsed=0.0,
        verify=True,
    )
