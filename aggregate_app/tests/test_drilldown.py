"""Governance drilldowns across sources: the rows behind a posture number, tagged by source."""

import pytest

pytestmark = pytest.mark.django_db


def envelope(items):
    def handler(req):
        offset, limit = int(req.query.get("offset", ["0"])[0]), int(req.query.get("limit", ["50"])[0])
        return 200, {
            "items": items[offset : offset + limit],
            "total": len(items),
            "offset": offset,
            "limit": limit,
        }

    return handler


def runbook(pid, team, status, criticality="high"):
    return {"pipeline_id": pid, "team": team, "criticality": criticality, "runbook_status": status}


@pytest.fixture
def two(stub_sources):
    return stub_sources("aws", "azure")


@pytest.fixture
def api(client_for, viewer):
    return client_for(viewer)


def drill(api, kind, **params):
    query = "&".join(f"{k}={v}" for k, v in {"drilldown": kind, **params}.items())
    return api.get(f"/api/aggregate/governance/drilldown?{query}")


def test_runbook_coverage_by_team_worst_first(two, api):
    two["aws"].reply(
        "/api/runbooks",
        handler=envelope(
            [
                runbook("p1", "ore", "configured"),
                runbook("p2", "ore", "missing"),
                runbook("p3", "rail", "configured"),
            ]
        ),
    )
    two["azure"].reply("/api/runbooks", handler=envelope([runbook("p1", "ore", "invalid_format")]))
    body = drill(api, "runbook_coverage").json()
    assert [
        (r["team"], r["pipelines"], r["with_runbook"], r["missing"], r["coverage_pct"]) for r in body["items"]
    ] == [
        ("ore", 3, 1, 2, 33.3),
        ("rail", 1, 1, 0, 100.0),
    ]
    assert body["items"][0]["by_source"] == {
        "aws": {"pipelines": 2, "missing": 1},
        "azure": {"pipelines": 1, "missing": 1},
    }
    assert body["by_source"] == {
        "aws": {"pipelines": 3, "missing": 1},
        "azure": {"pipelines": 1, "missing": 1},
    }
    assert two["aws"].calls("/api/runbooks")[0].query["include_missing"] == ["true"]


def test_critical_runbook_gaps(two, api):
    rows = [runbook("p1", "ore", "missing", "critical"), runbook("p2", "ore", "configured", "critical")]
    two["aws"].reply("/api/runbooks", handler=envelope(rows))
    two["azure"].reply(
        "/api/runbooks", handler=envelope([runbook("z9", "rail", "invalid_format", "critical")])
    )
    body = drill(api, "critical_runbook_gaps", days=30).json()
    assert [(r["source"], r["pipeline_id"]) for r in body["items"]] == [("aws", "p1"), ("azure", "z9")]
    assert body["total"] == 2 and body["days"] == 30 and body["by_source"] == {"aws": 1, "azure": 1}
    query = two["aws"].calls("/api/runbooks")[0].query
    assert query["criticality"] == ["critical"] and query["days"] == ["30"]


def sla_rows(rows):
    """The SLA list as the source serves it: `status` filtered there."""

    def handler(req):
        wanted = req.query.get("status", [None])[0]
        return envelope([r for r in rows if wanted is None or r["status"] == wanted])(req)

    return handler


def test_sla_pressure_asks_the_sources_for_breached_then_at_risk(two, api):
    rows = [{"pipeline_id": f"p{i}", "status": s} for i, s in enumerate(["ok", "at_risk", "breached"] * 900)]
    two["aws"].reply("/api/sla/pipelines", handler=sla_rows(rows))
    two["azure"].reply("/api/sla/pipelines", handler=sla_rows([{"pipeline_id": "z1", "status": "breached"}]))
    body = drill(api, "sla_pressure", limit=5).json()
    assert body["total"] == 1801 and body["by_source"] == {"aws": 1800, "azure": 1}  # past any window
    assert [r["status"] for r in body["items"]] == ["breached"] * 5
    assert {c.query["status"][0] for c in two["aws"].calls("/api/sla/pipelines")} == {"breached", "at_risk"}


def test_cost_anomalies_largest_first_cut_to_limit(two, api):
    two["aws"].reply(
        "/api/costs/anomalies",
        handler=envelope([{"pipeline_id": "p1", "robust_z": 5.0}, {"pipeline_id": "p2", "robust_z": 50.0}]),
    )
    two["azure"].reply("/api/costs/anomalies", handler=envelope([{"pipeline_id": "z1", "robust_z": 20.0}]))
    body = drill(api, "cost_anomalies", limit=2).json()
    assert [(r["source"], r["pipeline_id"]) for r in body["items"]] == [("aws", "p2"), ("azure", "z1")]
    assert body["total"] == 3 and body["limit"] == 2


def test_dq_mismatches_ask_the_sources_for_failures(two, api):
    two["aws"].reply("/api/dq/effective", handler=envelope([{"pipeline_id": "p1", "status": "fail"}]))
    two["azure"].stop()
    body = drill(api, "dq_mismatches").json()
    assert [r["pipeline_id"] for r in body["items"]] == ["p1"]
    assert two["aws"].calls("/api/dq/effective")[0].query["status"] == ["fail"]
    assert body["_meta"]["azure_ok"] is False and body["_meta"]["aws_ok"] is True


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("drilldown=nope", "drilldown"),
        ("", "drilldown"),
        ("drilldown=sla_pressure&days=0", "days"),
        ("drilldown=sla_pressure&days=91", "days"),
        ("drilldown=sla_pressure&limit=501", "limit"),
        ("drilldown=sla_pressure&source=mars", "source"),
    ],
)
def test_bad_parameters_are_400(two, api, query, parameter):
    response = api.get(f"/api/aggregate/governance/drilldown?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == parameter


def test_every_source_down_is_502(two, api):
    for stub in two.values():
        stub.stop()
    response = drill(api, "sla_pressure")
    assert response.status_code == 502 and response.json()["error"]["code"] == "sources_unavailable"


def catalogue(items, configured):
    """The runbook catalogue as a source serves it: a page of rows, and coverage over all of them."""

    def handler(req):
        status, body = envelope(items)(req)
        missing = len(items) - configured
        return status, {
            **body,
            "coverage": {"total": len(items), "configured": configured, "missing": missing},
        }

    return handler


def test_runbook_kpis_count_every_pipeline_not_only_the_rows_read(two, api):
    rows = [runbook(f"p{i}", "ore", "configured" if i % 4 else "missing", "critical") for i in range(2400)]
    two["aws"].reply("/api/runbooks", handler=catalogue(rows, configured=1800))
    two["azure"].reply("/api/runbooks", handler=catalogue(rows[:10], configured=7))
    coverage = drill(api, "runbook_coverage", limit=1).json()
    assert coverage["by_source"] == {
        "aws": {"pipelines": 2400, "missing": 600},
        "azure": {"pipelines": 10, "missing": 3},
    }
    gaps = drill(api, "critical_runbook_gaps", limit=1).json()
    assert gaps["total"] == 603 and gaps["by_source"] == {"aws": 600, "azure": 3}
    assert len(gaps["items"]) == 1
    assert len(two["aws"].calls("/api/runbooks")) == 2  # a one-row ask reads one page, not the window


def test_a_kpi_total_is_the_drilldowns_total(two, api):
    rows = [{"pipeline_id": f"p{i}", "status": "fail"} for i in range(2600)]
    two["aws"].reply("/api/dq/effective", handler=envelope(rows))
    two["azure"].reply("/api/dq/effective", handler=envelope(rows[:5]))
    card, listed = drill(api, "dq_mismatches", limit=1).json(), drill(api, "dq_mismatches", limit=500).json()
    assert card["total"] == listed["total"] == 2605
    assert len(listed["items"]) == 500
