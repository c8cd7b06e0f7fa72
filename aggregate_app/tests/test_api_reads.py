"""Aggregate read routes over real stub sources: merged answers, `_meta`, degraded sources,
and the errors when nothing could answer."""

import time

import pytest

pytestmark = pytest.mark.django_db

SUMMARY_AWS = {
    "pipelines": 40,
    "stale_datasets": 6,
    "top_impacted_downstream_assets": [],
    "cost_24h_aud": 409.9,
    "cost_7d_aud": 5053.69,
    "cost_7d_daily_avg_aud": 721.96,
}
SUMMARY_AZURE = {
    "pipelines": 22,
    "stale_datasets": 1,
    "top_impacted_downstream_assets": [],
    "cost_24h_aud": 10.0,
    "cost_7d_aud": 70.0,
    "cost_7d_daily_avg_aud": 10.0,
}


@pytest.fixture
def two(stub_sources):
    stubs = stub_sources("aws", "azure")
    stubs["aws"].reply("/api/summary", SUMMARY_AWS)
    stubs["azure"].reply("/api/summary", SUMMARY_AZURE)
    stubs["aws"].catalogue([{"pipeline_id": f"a{i}", "is_active": True} for i in range(40)])
    stubs["azure"].catalogue([{"pipeline_id": f"z{i}", "is_active": i < 20} for i in range(22)])
    return stubs


@pytest.fixture
def api(client_for, viewer):
    return client_for(viewer)


def test_summary_from_both_sources_with_meta(two, api):
    response = api.get("/api/aggregate/summary")
    assert response.status_code == 200
    body = response.json()
    assert body["pipelines"] == 62 and body["cost_7d_aud"] == 5123.69 and body["stale_datasets"] == 7
    meta = body["_meta"]
    assert meta["aws_ok"] is True and meta["azure_ok"] is True and meta["degraded"] is False
    assert meta["selected"] == ["aws", "azure"] and meta["capabilities"] == []
    assert set(meta["sources"]["aws"]) == {"ok", "status", "latency_ms", "error", "reason"}
    assert meta["sources"]["aws"]["status"] == 200 and meta["sources"]["aws"]["error"] is None
    assert meta["generated_at"].endswith("Z")


def test_one_source_by_name(two, api):
    body = api.get("/api/aggregate/summary?source=azure").json()
    assert body["pipelines"] == 22
    assert body["_meta"]["azure_ok"] is True and body["_meta"]["aws_ok"] is None  # not asked
    assert two["aws"].calls("/api/summary") == []


def test_a_stopped_source_gives_200_with_the_rest(two, api):
    two["azure"].stop()
    response = api.get("/api/aggregate/summary?source=both")
    assert response.status_code == 200
    body = response.json()
    assert body["pipelines"] == 40
    meta = body["_meta"]
    assert meta["aws_ok"] is True and meta["azure_ok"] is False and meta["degraded"] is True
    assert meta["sources"]["azure"]["error"] == "connection_error"
    assert meta["capabilities"] == [
        {
            "endpoint": "/api/summary",
            "source": "azure",
            "status": "degraded",
            "reason": "connection refused",
            "error": "connection_error",
        }
    ]


def test_a_hanging_source_costs_its_timeout_then_nothing_once_the_breaker_opens(two, api, settings):
    settings.CT_SOURCE_TIMEOUT_S = 0.4
    api.get("/api/aggregate/summary")  # warm: the first request in a process pays for imports
    two["azure"].hang("/api/summary")
    two["azure"].hang("/api/pipeline-keys")  # a hung source answers nothing
    for _ in range(settings.CT_SOURCE_BREAKER_THRESHOLD):  # each request asks azure twice (summary, keys)
        started = time.monotonic()
        body = api.get("/api/aggregate/summary").json()
        assert time.monotonic() - started < 0.4 + 0.35
        assert body["_meta"]["sources"]["azure"]["error"] in ("timeout", "circuit_open")
        assert body["pipelines"] == 40
    started = time.monotonic()
    body = api.get("/api/aggregate/summary").json()
    assert time.monotonic() - started < 0.2
    assert body["_meta"]["sources"]["azure"]["error"] == "circuit_open" and body["_meta"]["azure_ok"] is False


def test_invalid_json_marks_the_source_degraded(two, api):
    two["azure"].garbage("/api/summary")
    body = api.get("/api/aggregate/summary").json()
    assert body["pipelines"] == 40
    (row,) = body["_meta"]["capabilities"]
    assert (row["source"], row["status"], row["error"]) == ("azure", "degraded", "invalid_json")
    assert body["_meta"]["azure_ok"] is False


def test_a_source_without_the_endpoint_is_a_capability_row(two, api):
    two["aws"].reply("/api/governance/posture", {"pipelines": 3})
    body = api.get("/api/aggregate/governance/posture").json()
    assert body["pipelines"] == 3
    (row,) = body["_meta"]["capabilities"]
    assert (row["source"], row["status"], row["endpoint"]) == (
        "azure",
        "unsupported",
        "/api/governance/posture",
    )


def test_when_every_source_fails_it_is_a_502_naming_each_reason(two, api):
    two["aws"].reply(
        "/api/summary", {"error": {"code": "database_unavailable", "message": "warehouse down"}}, status=503
    )
    two["azure"].stop()
    response = api.get("/api/aggregate/summary")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "sources_unavailable"
    assert (
        "aws: HTTP 503: warehouse down" in error["message"]
        and "azure: connection refused" in error["message"]
    )
    assert error["details"]["sources"]["azure"]["error"] == "connection_error"


def test_an_entity_missing_everywhere_is_a_404(two, api):
    for stub in two.values():
        stub.reply(
            "/api/pipelines/nope/sla",
            {"error": {"code": "not_found", "message": "No pipeline 'nope'."}},
            status=404,
        )
    response = api.get("/api/aggregate/pipelines/nope/sla")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_entity_in_one_source_answers_with_a_not_found_row_for_the_other(two, api):
    two["aws"].reply("/api/pipelines/p2/sla", {"pipeline_id": "p2", "status": "ok"})
    two["azure"].reply(
        "/api/pipelines/p2/sla", {"error": {"code": "not_found", "message": "No pipeline 'p2'."}}, status=404
    )
    body = api.get("/api/aggregate/pipelines/p2/sla").json()
    assert body["by_source"] == {"aws": {"pipeline_id": "p2", "status": "ok"}}
    assert body["_meta"]["azure_ok"] is True  # the source answered: it has no such pipeline
    assert body["_meta"]["capabilities"][0]["status"] == "not_found"


def test_a_bad_parameter_refused_by_every_source_is_their_400(two, api):
    error = {
        "error": {
            "code": "invalid_parameter",
            "message": "'days' must be an integer.",
            "details": {"parameter": "days"},
        }
    }
    for stub in two.values():
        stub.reply("/api/costs", error, status=400)
    response = api.get("/api/aggregate/costs?days=x")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_parameter" and body["message"] == "aws: 'days' must be an integer."
    assert body["details"]["parameter"] == "days"
    assert two["aws"].calls("/api/costs")[0].query == {"days": ["x"]}  # forwarded as given


def test_an_unknown_source_is_a_400(two, api):
    response = api.get("/api/aggregate/summary?source=gcp")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["choices"] == ["aws", "azure", "both", "all"]


def test_reads_need_a_login(two, anon_client):
    assert anon_client.get("/api/aggregate/summary").status_code == 401


def page_of(items):
    def handler(req):
        offset, limit = int(req.query.get("offset", ["0"])[0]), int(req.query.get("limit", ["50"])[0])
        return 200, {
            "items": items[offset : offset + limit],
            "total": len(items),
            "offset": offset,
            "limit": limit,
        }

    return handler


def test_pipelines_merge_across_sources_and_page(two, api):
    core = {"pipeline_name": "ingest", "namespace": "airflow://core"}
    two["aws"].catalogue(
        [
            {"pipeline_id": f"p{i}", "runs_7d": 10, "last_end_ts": "2026-11-20T10:00:00Z", **core}
            for i in range(1, 5)
        ]  # fmt: skip
    )
    two["azure"].catalogue(
        [
            {"pipeline_id": "p2", "runs_7d": 5, "last_end_ts": "2026-11-20T11:00:00Z", **core},
            {"pipeline_id": "z1", "runs_7d": 1, "last_end_ts": None, **core},
        ]
    )
    first = api.get("/api/aggregate/pipelines?limit=3").json()
    second = api.get("/api/aggregate/pipelines?offset=3&limit=3").json()
    assert [p["pipeline_id"] for p in first["items"]] == ["p1", "p2", "p3"]
    assert [p["pipeline_id"] for p in second["items"]] == ["p4", "z1"]
    assert first["total"] == second["total"] == 5
    p2 = first["items"][1]
    assert (p2["runs_7d"], p2["last_end_ts"], p2["sources"]) == (15, "2026-11-20T11:00:00Z", ["aws", "azure"])
    assert two["azure"].calls("/api/pipelines")[-1].query["pipeline_ids"] == ["z1"]  # only the page's rows


def test_the_same_id_with_another_identity_stays_two_rows(two, api):
    two["aws"].catalogue([{"pipeline_id": "p7", "pipeline_name": "headcount_ingest", "runs_7d": 8}])
    two["azure"].catalogue([{"pipeline_id": "p7", "pipeline_name": "payroll_export", "runs_7d": 42}])
    body = api.get("/api/aggregate/pipelines").json()
    rows = [(p["pipeline_name"], p["runs_7d"], p["sources"]) for p in body["items"]]
    assert rows == [("headcount_ingest", 8, ["aws"]), ("payroll_export", 42, ["azure"])]
    assert body["total"] == 2 and body["_meta"]["identity_conflicts"] == {"count": 1, "ids": ["p7"]}
    summary = api.get("/api/aggregate/summary").json()
    assert summary["pipelines"] == body["total"] and summary["_meta"]["identity_conflicts"]["count"] == 1
    two["aws"].reply("/api/pipelines/p7", {"pipeline_id": "p7", "pipeline_name": "headcount_ingest"})
    two["azure"].reply("/api/pipelines/p7", {"pipeline_id": "p7", "pipeline_name": "payroll_export"})
    for path in ("/api/aggregate/pipelines/p7", "/api/aggregate/pipelines/p7/impact"):
        refused = api.get(path)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "identity_conflict"
    assert api.get("/api/aggregate/pipelines/p7?source=azure").json()["pipeline_name"] == "payroll_export"


def test_one_source_pages_itself(two, api):
    two["aws"].catalogue([{"pipeline_id": f"p{i}"} for i in range(10)])
    body = api.get("/api/aggregate/pipelines?source=aws&offset=4&limit=2").json()
    assert [p["pipeline_id"] for p in body["items"]] == ["p4", "p5"]
    assert (body["total"], body["offset"], body["limit"]) == (10, 4, 2)


def test_every_page_is_reachable_across_sources(two, api):
    two["aws"].catalogue([{"pipeline_id": f"a{i}"} for i in range(700)])
    two["azure"].catalogue([{"pipeline_id": f"z{i}"} for i in range(600)])
    last = api.get("/api/aggregate/pipelines?offset=1250&limit=100").json()
    assert last["total"] == 1300 and len(last["items"]) == 50
    assert [p["pipeline_id"] for p in last["items"]][:2] == ["z550", "z551"]
    incidents = [
        {"incident_id": f"i{i}", "detected_ts": f"2026-11-20T{i % 24:02d}:00:00Z"} for i in range(6000)
    ]
    two["aws"].reply("/api/incidents", handler=page_of(incidents))
    two["azure"].reply("/api/incidents", handler=page_of([]))
    deep = api.get("/api/aggregate/incidents?offset=5950&limit=100").json()
    assert deep["total"] == 6000 and len(deep["items"]) == 50


def test_run_lists_need_a_single_source(two, api):
    response = api.get("/api/aggregate/pipelines/p2/runs?source=both")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["choices"] == ["aws", "azure"]
    assert api.get("/api/aggregate/pipelines/p2/runs").status_code == 400


def test_run_lists_page_one_source(two, api):
    runs = [{"run_id": f"aws-p2-{i:04d}"} for i in range(10)]
    two["aws"].reply("/api/pipelines/p2/runs", handler=page_of(runs))
    body = api.get("/api/aggregate/pipelines/p2/runs?source=aws&offset=3&limit=3").json()
    assert [r["run_id"] for r in body["items"]] == ["aws-p2-0003", "aws-p2-0004", "aws-p2-0005"]
    assert body["source"] == "aws" and body["items"][0]["source"] == "aws"
    assert body["_meta"]["aws_ok"] is True and body["_meta"]["azure_ok"] is None


def test_path_parameters_are_escaped(two, api):
    two["aws"].reply("/api/pipelines/a%20b/sla", {"pipeline_id": "a b"})
    body = api.get("/api/aggregate/pipelines/a%20b/sla?source=aws").json()
    assert body["by_source"]["aws"] == {"pipeline_id": "a b"}


def test_the_lineage_alias_points_at_the_aggregate_impact(two, api):
    graph = {
        "pipeline_id": "p2",
        "nodes": [],
        "edges": [],
        "deprecated": True,
        "replacement_endpoint": "/api/pipelines/p2/impact",
    }
    for stub in two.values():
        stub.reply("/api/pipelines/p2/lineage", graph)
    body = api.get("/api/aggregate/pipelines/p2/lineage").json()
    assert body["deprecated"] is True
    assert body["replacement_endpoint"] == "/api/aggregate/pipelines/p2/impact"


def test_csv_exports_merge_with_a_source_column(two, api):
    two["aws"].reply("/api/scorecards/teams/export", b"team,score\nore,90\n", content_type="text/csv")
    two["azure"].stop()
    response = api.get("/api/aggregate/scorecards/teams/export?format=csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response.content.decode() == "source,team,score\naws,ore,90\n"
    assert response["X-CT-Degraded-Sources"] == "azure"


def test_explain_run_answers_from_the_source_that_has_the_run(two, api):
    missing = {"error": {"code": "not_found", "message": "No run 'azure-p2-1'."}}
    two["aws"].reply("/api/explain/run/azure-p2-1", missing, status=404)
    two["azure"].reply("/api/explain/run/azure-p2-1", {"run_id": "azure-p2-1", "likely_cause": "timeout"})
    body = api.get("/api/aggregate/explain/run/azure-p2-1").json()
    assert (body["run_id"], body["source"], body["also_in"]) == ("azure-p2-1", "azure", [])


def test_triage_query_goes_to_the_named_source_for_any_viewer(two, api):
    two["azure"].reply("/api/triage/query", {"summary": "p2 failed", "mode": "deterministic_rules_v1"})
    response = api.post(
        "/api/aggregate/triage/query", {"source": "azure", "pipeline_id": "p2"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["summary"] == "p2 failed" and response.json()["source"] == "azure"
    assert two["azure"].calls("/api/triage/query")[0].json() == {"source": "azure", "pipeline_id": "p2"}
    assert two["aws"].calls("/api/triage/query") == []


@pytest.mark.parametrize("segment", ["%2E%2E", "..", "%2e", "."])
def test_a_dot_segment_id_is_refused_before_anything_is_forwarded(two, api, segment):
    two["aws"].reply("/api/runs", {"items": ["not for you"]})
    for path in (
        f"/api/aggregate/pipelines/{segment}/runs?source=aws",
        f"/api/aggregate/pipelines/{segment}/sla",
    ):
        response = api.get(path)
        if response.status_code == 404:  # Django resolved a bare dot segment itself: no route, nothing sent
            continue
        assert (
            response.status_code == 400 and response.json()["error"]["details"]["parameter"] == "pipeline_id"
        )
    assert all(r.path != "/api/runs" for stub in two.values() for r in stub.requests)
    assert not [r for stub in two.values() for r in stub.requests if "/api/pipelines/" in r.path]


def test_meta_is_what_the_control_schema_says_it_is(two, api):
    """schema-control.yml types `_meta` once (AggregateMeta): the answers carry exactly that."""
    import yaml
    from django.conf import settings

    schema = yaml.safe_load((settings.BASE_DIR / "schema-control.yml").read_text())
    declared = schema["components"]["schemas"]["AggregateMeta"]
    outcome = declared["properties"]["sources"]["additionalProperties"]["properties"]
    capability = declared["properties"]["capabilities"]["items"]["properties"]
    two["azure"].stop()
    meta = api.get("/api/aggregate/summary?source=both").json()["_meta"]
    assert set(declared["required"]) <= set(meta)
    extra = set(meta) - set(declared["properties"])
    assert extra == {"aws_ok", "azure_ok"} and (meta["aws_ok"], meta["azure_ok"]) == (True, False)
    assert all(set(entry) == set(outcome) for entry in meta["sources"].values())
    assert meta["capabilities"] and all(set(c) == set(capability) for c in meta["capabilities"])
    assert {c["status"] for c in meta["capabilities"]} == {"degraded"}  # the stopped source
    summary = schema["paths"]["/api/aggregate/summary"]["get"]["responses"]["200"]
    answer = summary["content"]["application/json"]["schema"]
    assert answer["required"] == ["_meta"] or {"required": ["_meta"]} in [
        {"required": s.get("required")} for s in answer.get("allOf", [])
    ]


def test_a_run_answers_from_the_source_that_has_it_with_its_paging(two, api):
    missing = {"error": {"code": "not_found", "message": "run_id: no run 'r-1' in this source."}}
    two["aws"].reply("/api/runs/r-1", missing, status=404)
    run = {"run_id": "r-1", "states": [{"event_type": "START"}], "children": []}
    two["azure"].reply("/api/runs/r-1", run)
    body = api.get("/api/aggregate/runs/r-1?children_limit=5").json()
    assert (body["run_id"], body["source"], body["states"]) == ("r-1", "azure", [{"event_type": "START"}])
    assert two["azure"].calls("/api/runs/r-1")[0].query["children_limit"] == ["5"]


def _daily(days: dict, earlier: int = 0) -> dict:
    """A source's /api/incidents/daily answer: {date: (sev1, sev2, sev3, sev4)}, plus `earlier` sev3."""

    def counts(sevs):
        return {**dict(zip(("sev1", "sev2", "sev3", "sev4"), sevs, strict=True)), "incidents": sum(sevs)}

    rows = [{"date": d, **counts(s)} for d, s in days.items()]
    by_severity = {
        s: sum(r[s] for r in rows) + (earlier if s == "sev3" else 0) for s in ("sev1", "sev2", "sev3", "sev4")
    }
    return {
        "hours": 48,
        "since_ts": "2026-11-18T12:00:00Z",
        "days": rows,
        "earlier": counts((0, 0, earlier, 0)),
        "by_severity": by_severity,
        "incidents": sum(by_severity.values()),
        "generated_at": "2026-11-20T12:00:00Z",
    }


def test_daily_incident_counts_add_up_per_date_and_severity(two, api):
    days = ("2026-11-18", "2026-11-19", "2026-11-20")
    two["aws"].reply(
        "/api/incidents/daily",
        _daily(dict(zip(days, [(1, 0, 0, 2), (0, 1, 0, 0), (3, 0, 1, 0)], strict=True))),
    )
    two["azure"].reply(
        "/api/incidents/daily",
        _daily(dict(zip(days, [(0, 0, 0, 1), (0, 0, 0, 0), (1, 1, 1, 1)], strict=True)), 2),
    )
    body = api.get("/api/aggregate/incidents/daily?hours=48&team=sales").json()
    assert [
        (d["date"], d["sev1"], d["sev2"], d["sev3"], d["sev4"], d["incidents"]) for d in body["days"]
    ] == [
        ("2026-11-18", 1, 0, 0, 3, 4),
        ("2026-11-19", 0, 1, 0, 0, 1),
        ("2026-11-20", 4, 1, 2, 1, 8),
    ]
    assert body["days"][2]["by_source"]["azure"]["sev1"] == 1
    assert body["earlier"]["incidents"] == 2 and body["hours"] == 48
    assert body["by_severity"] == {"sev1": 5, "sev2": 2, "sev3": 4, "sev4": 4}
    assert body["incidents"] == 15 == sum(d["incidents"] for d in body["days"]) + body["earlier"]["incidents"]
    assert body["_meta"]["degraded"] is False
    assert two["aws"].calls("/api/incidents/daily")[0].query == {"hours": ["48"], "team": ["sales"]}


def test_daily_incident_counts_from_the_sources_that_answered(two, api):
    two["aws"].reply("/api/incidents/daily", _daily({"2026-11-20": (1, 0, 0, 0)}))
    two["azure"].stop()
    body = api.get("/api/aggregate/incidents/daily").json()
    assert [(d["date"], d["incidents"]) for d in body["days"]] == [("2026-11-20", 1)]
    assert body["incidents"] == 1
    meta = body["_meta"]
    assert meta["degraded"] is True and meta["aws_ok"] is True and meta["azure_ok"] is False
    assert [(c["endpoint"], c["source"], c["status"]) for c in meta["capabilities"]] == [
        ("/api/incidents/daily", "azure", "degraded")
    ]
