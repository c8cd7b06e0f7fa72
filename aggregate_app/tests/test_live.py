"""The control tier over two live source APIs (gunicorn, demo estates from `load_demo`), and over a
live source plus a stub that misbehaves: the seed's semantic checks, degraded sources, writes."""

import csv
import io
import time
import uuid

import pytest
import requests

from governance_app.scorecards import card
from testsupport.ingest_events import run_event
from testsupport.stubs import StubSource

from .live_sources import live_sources

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


def test_summary_adds_the_sources_and_counts_shared_pipelines_once(control, api, client_for, viewer):
    both = ok(api.get("/api/aggregate/summary?source=both"))
    parts = [ok(api.get(f"/api/aggregate/summary?source={n}")) for n in ("aws", "azure")]
    listed = ok(api.get("/api/aggregate/pipelines?source=both&limit=1"))
    shared = sum(1 for _ in _shared_rows(api))
    assert both["pipelines"] == listed["total"] == sum(p["pipelines"] for p in parts) - shared
    assert shared > 0 and both["_meta"]["identity_conflicts"] == {"count": 0, "ids": []}
    assert both["cost_7d_aud"] == pytest.approx(sum(p["cost_7d_aud"] for p in parts), abs=0.011)
    assert both["_meta"]["aws_ok"] and both["_meta"]["azure_ok"]


def _shared_rows(api):
    offset = 0
    while True:
        page = ok(api.get(f"/api/aggregate/pipelines?source=both&offset={offset}&limit=100"))
        yield from (p for p in page["items"] if len(p["sources"]) > 1)
        offset += 100
        if offset >= page["total"]:
            return


def test_no_merged_row_joins_two_different_pipelines(control, api):
    rows = list(_shared_rows(api))
    assert rows
    for row in rows:
        names = {(r["pipeline_name"], r["namespace"], r["team"]) for r in row["by_source"].values()}
        assert len(names) == 1, row["pipeline_id"]


def test_an_identity_conflict_beside_a_live_source_stays_two_rows(live, api, settings, monkeypatch):
    from aggregate_app import breaker

    other = StubSource("azure").start()
    try:
        other.catalogue([{"pipeline_id": "p2", "pipeline_name": "a different p2", "namespace": "airflow://x",
                          "is_active": True, "runs_7d": 5}])  # fmt: skip
        other.reply("/api/pipelines/p2", {"pipeline_id": "p2", "pipeline_name": "a different p2"})
        other.reply("/api/summary", {"pipelines": 1, "active": 1})
        settings.CT_SOURCES = f"aws={live['aws'].url},azure={other.url}"
        monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", live["aws"].token)
        breaker.reset()
        alone = ok(api.get("/api/aggregate/pipelines?source=aws&limit=1"))["total"]
        body = ok(api.get("/api/aggregate/pipelines?source=both&search=p2&limit=50"))
        p2 = [p for p in body["items"] if p["pipeline_id"] == "p2"]
        assert sorted(r["sources"][0] for r in p2) == ["aws", "azure"] and all(
            len(r["sources"]) == 1 for r in p2
        )
        assert body["_meta"]["identity_conflicts"] == {"count": 1, "ids": ["p2"]}
        summary = ok(api.get("/api/aggregate/summary?source=both"))
        assert summary["pipelines"] == alone + 1 == ok(api.get("/api/aggregate/pipelines?limit=1"))["total"]
        refused = api.get("/api/aggregate/pipelines/p2/impact?source=both")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "identity_conflict"
    finally:
        other.stop()


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
    azure.hang("/api/pipeline-keys")  # where the merged list starts
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
    response = admin.post(  # the path as the Control Tower document writes it
        "/api/aggregate/policies/profiles/assign?source=both",
        {"scope": "team", "target_id": target, "profile": "strict", "reason": "aggregate write test"},
        format="json",
    )
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert set(body["results"]) == {"aws", "azure"} and all(r["ok"] for r in body["results"].values())
    history = ok(admin.get(f"/api/aggregate/policies/history?source=both&target_id={target}"))
    rows = [r for r in history["items"] if r["target_id"] == target]
    assert sorted(r["source"] for r in rows) == ["aws", "azure"]
    # each source files the rows under its own minted id, and keeps the control tier's to correlate
    assert {r["client_request_id"] for r in rows} == {response["X-Request-ID"]}
    assert len({r["request_id"] for r in rows} | {response["X-Request-ID"]}) == 3


def test_the_source_audit_names_the_person_not_the_service_account(control, client_for, governance_admin):
    admin = client_for(governance_admin)
    target = f"live-actor-{time.monotonic_ns()}"
    payload = {"scope": "team", "target_id": target, "profile": "relaxed", "reason": "who did it"}
    assert admin.post("/api/aggregate/policies/assign?source=aws", payload, format="json").status_code == 200
    history = ok(admin.get(f"/api/aggregate/policies/history?source=aws&target_id={target}"))
    assert [r["changed_by"] for r in history["items"] if r["target_id"] == target] == ["gina"]


def mirrored_paths(run_id: str, dataset_id: str) -> list[str]:
    from django.urls import get_resolver

    from aggregate_app.api.views import MirrorView

    values = {"pipeline_id": "p2", "run_id": run_id, "dataset_id": dataset_id}
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
    dataset_id = ok(api.get("/api/aggregate/datasets?source=aws&limit=1"))["items"][0]["dataset_id"]
    for path in mirrored_paths(run_id, dataset_id):
        direct = requests.get(aws.url + path, headers={"Authorization": f"Token {aws.token}"}, timeout=30)
        single = "/runs" in path
        aggregate_path = "/api/aggregate/" + path.removeprefix("/api/").lstrip("/")
        response = api.get(aggregate_path + ("?source=aws" if single else ""))
        assert response.status_code == direct.status_code, (path, response.content[:300])
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            assert "_meta" in response.json(), path


def test_a_four_eyes_refusal_at_a_source_reaches_the_caller_as_that_refusal(
    control, client_for, governance_admin
):
    admin = client_for(governance_admin)
    target = f"live-4eyes-{time.monotonic_ns()}"
    proposal = {"scope": "team", "target_id": target, "profile": "relaxed", "is_exception": True,
                "exception_reason": "migration week", "reason": "propose",
                "exception_expires_at": "2099-01-01T00:00:00Z"}  # fmt: skip
    assert admin.post("/api/aggregate/policies/assign?source=aws", proposal, format="json").status_code == 200
    review = {"scope": "team", "target_id": target, "decision": "approve", "reason": "self-approval"}
    refused = admin.post("/api/aggregate/policies/exceptions/review?source=aws", review, format="json")
    assert refused.status_code == 403, refused.content[:500]
    error = refused.json()["error"]
    assert error["code"] == "four_eyes_violation" and error["message"].startswith("aws: ")
    assert error["details"]["source"] == "aws"


def test_each_listed_headline_equals_the_total_of_its_list(control, api):
    summary = ok(api.get("/api/aggregate/summary?source=both"))
    lists = {
        "pipelines": "/api/aggregate/pipelines?source=both&limit=1",
        "sla_breaches": "/api/aggregate/sla/pipelines?source=both&status=breached&limit=1",
        "stale_datasets": "/api/aggregate/datasets/stale?source=both&limit=1",
        "failures_24h": "/api/aggregate/incidents?source=both&kind=run_failed&hours=24&limit=1",
    }
    totals = {key: ok(api.get(path))["total"] for key, path in lists.items()}
    assert totals == {key: summary[key] for key in lists}
    assert totals["stale_datasets"] > 0 and totals["sla_breaches"] > 0 and totals["failures_24h"] > 0


def every_row(api, path: str, key: str, size: int = 37) -> tuple[list, int]:
    rows, offset = [], 0
    while True:
        page = ok(api.get(f"{path}&offset={offset}&limit={size}"))
        rows += [r[key] if isinstance(key, str) else key(r) for r in page["items"]]
        offset += size
        if offset >= page["total"]:
            return rows, page["total"]


def test_paging_the_merged_catalogue_reaches_every_pipeline_once(control, api):
    ids, total = every_row(
        api, "/api/aggregate/pipelines?source=both", lambda r: (r["pipeline_id"], r["sources"][0])
    )
    assert len(ids) == len(set(ids)) == total > 37
    by_name = every_row(api, "/api/aggregate/pipelines?source=both&sort=runs_7d&order=desc", "runs_7d")[0]
    assert by_name == sorted(by_name, reverse=True) and len(by_name) == total


def test_incident_filters_apply_before_paging_and_every_incident_is_reachable(control, api):
    path = "/api/aggregate/incidents?source=both&hours=168&kind=run_failed"
    ids, total = every_row(api, path, "incident_id", size=200)
    per_source = [
        ok(api.get(f"/api/aggregate/incidents?source={s}&hours=168&kind=run_failed&limit=1"))["total"]
        for s in ("aws", "azure")
    ]
    assert len(ids) == len(set(ids)) == total == sum(per_source) and all(i.startswith("run:") for i in ids)
    p2 = ok(api.get("/api/aggregate/incidents?source=both&hours=168&pipeline_id=p2&limit=500"))
    assert p2["items"] and {i["pipeline_id"] for i in p2["items"]} == {"p2"}
    assert p2["total"] == len(p2["items"])


def test_incidents_per_day_of_both_sources_add_up_to_their_incidents(control, api):
    for query in ("hours=168", "hours=168&kind=run_failed", "hours=48&team=sales"):
        daily = ok(api.get(f"/api/aggregate/incidents/daily?source=both&{query}"))
        listed = ok(api.get(f"/api/aggregate/incidents?source=both&{query}&limit=1"))
        in_days = sum(d["incidents"] for d in daily["days"]) + daily["earlier"]["incidents"]
        assert in_days == daily["incidents"] == listed["total"], query
        assert daily["by_severity"] == listed["by_severity"], query
        assert all(d["sev1"] + d["sev2"] + d["sev3"] + d["sev4"] == d["incidents"] for d in daily["days"])
    assert daily["_meta"]["aws_ok"] is True and daily["_meta"]["azure_ok"] is True


def test_posture_score_and_coverage_are_recomputed_from_both_sources(control, api):
    both = ok(api.get("/api/aggregate/governance/posture?source=both"))
    parts = [ok(api.get(f"/api/aggregate/governance/posture?source={s}")) for s in ("aws", "azure")]
    inputs = {k: sum(p["score_inputs"][k] for p in parts) for k in parts[0]["score_inputs"]}
    assert both["posture_score"] == card("(all)", inputs)["score"] and both["grade"] is not None
    runbooks = [p["runbooks"] for p in parts]
    expected = round(sum(r["configured"] for r in runbooks) / sum(r["total"] for r in runbooks), 4)
    assert both["runbooks"]["coverage_ratio"] == expected


def test_a_formula_in_producer_text_reaches_no_spreadsheet_as_a_formula(control, client_for, operator):
    tag = uuid.uuid4().hex[:8]
    formula = f'=HYPERLINK("http://attacker.example/{tag}","click")'
    facets = {"controlTower": {"_producer": "https://example.com", "_schemaURL": "https://example.com/s",
                               "team": formula, "criticality": "low"}}  # fmt: skip
    run_id = str(uuid.uuid4())
    for kind in ("START", "COMPLETE"):
        event = run_event(kind, run_id=run_id, job=f"csv.{tag}", job_facets=facets)
        sent = client_for(operator).post("/api/aggregate/v1/lineage?source=aws", event, format="json")
        assert sent.status_code in (200, 201), sent.content[:300]
    aws = control["aws"]
    direct = requests.get(
        f"{aws.url}/api/scorecards/teams/export",
        params={"export_format": "csv"},
        headers={"Authorization": f"Token {aws.token}"},
        timeout=30,
    ).text
    merged = client_for(operator).get("/api/aggregate/scorecards/teams/export?source=both&export_format=csv")
    for text in (direct, merged.content.decode()):
        row = next(r for r in csv.DictReader(io.StringIO(text)) if formula in r["team"])
        assert row["team"] == "'" + formula  # shown as text, not run
        assert row["pipelines"] == "1" and float(row["score"]) >= 0  # numbers stay numbers


def test_an_operator_alone_cannot_waive_a_data_quality_standard(control, client_for, operator):
    ops = client_for(operator)
    failing = ok(ops.get("/api/aggregate/dq/effective?source=aws&status=fail&limit=500"))["by_source"]["aws"][
        "items"
    ]
    target = next(i for i in failing if i["failing_standards"] == ["runbook_required"])
    waiver = {"pipeline_id": target["pipeline_id"], "state": "waived", "reason": "no time for a runbook"}
    assert (
        ops.post("/api/aggregate/runbooks/governance/upsert?source=aws", waiver, format="json").status_code
        == 200
    )
    after = ok(ops.get("/api/aggregate/dq/effective?source=aws&limit=500"))["by_source"]["aws"]["items"]
    (row,) = [i for i in after if i["pipeline_id"] == target["pipeline_id"]]
    assert row["status"] == "fail" and row["checks"][0]["runbook_governance_state"] == "waived"


def on_source(source: str, code: str) -> None:
    """Run `code` in the live source's own deployment (its governance database)."""
    from testsupport.live_servers import live_estate, manage

    manage(getattr(live_estate(), source).data_dir, "shell", "-c", code)


GINA = "from django.contrib.auth.models import Group, User; gina = User.objects.get(username='gina'); "
ACTIVE = GINA + "gina.is_active = True; gina.save(); gina.groups.set([Group.objects.get(name={!r})])"


def test_a_person_disabled_or_demoted_at_a_source_cannot_write_there_through_the_control_tier(
    control, client_for, governance_admin
):
    """The source checks the person the control tier acts for against its own users: an account
    deactivated or demoted there stops writing there, whatever the control tier thinks of them."""
    admin = client_for(governance_admin)
    target = f"live-acting-{time.monotonic_ns()}"
    payload = {"scope": "team", "target_id": target, "profile": "relaxed", "reason": "acting user"}
    try:
        on_source("aws", GINA + "gina.is_active = False; gina.save()")
        refused = admin.post("/api/aggregate/policies/assign?source=aws", payload, format="json")
        assert refused.status_code == 403, refused.content
        assert refused.json()["error"]["code"] == "acting_user_refused"
        on_source("aws", ACTIVE.format("viewer"))
        demoted = admin.post("/api/aggregate/policies/assign?source=aws", payload, format="json")
        assert demoted.status_code == 403, demoted.content
        assert demoted.json()["error"]["code"] == "acting_user_refused"
        assert "governance_admin" in demoted.json()["error"]["message"]
        history = ok(admin.get(f"/api/aggregate/policies/history?source=aws&target_id={target}"))
        assert [r for r in history["items"] if r["target_id"] == target] == []  # nothing was written
    finally:
        on_source("aws", ACTIVE.format("governance_admin"))
    assert admin.post("/api/aggregate/policies/assign?source=aws", payload, format="json").status_code == 200
