"""The Grafana dashboard (deploy/grafana/control-tower.json) and the Prometheus alert rules
(deploy/prometheus/alerts.yml): well-formed (promtool's structure: groups of rules, each with
alert, expr, for, labels, annotations), covering what operators watch, and naming only series
that /metrics exposes after real requests."""

import json
import re

import orjson
import pytest
import yaml

from testsupport.ingest_events import run_event
from testsupport.live_servers import ROOT
from testsupport.metrics import scrape
from testsupport.warehouse import duckdb_only

DASHBOARD = ROOT / "deploy" / "grafana" / "control-tower.json"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
DURATION = re.compile(r"^\d+[smhdwy]$")
SERIES = re.compile(r"\bct_[a-z_]+\b")


def rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_rules_have_the_structure_prometheus_loads():
    document = yaml.safe_load(RULES.read_text())
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names))
    for group in document["groups"]:
        assert set(group) == {"name", "rules"} and group["rules"]
    alerts = [rule["alert"] for rule in rules()]
    assert len(alerts) == len(set(alerts))
    for rule in rules():
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
        assert isinstance(rule["expr"], str) and rule["expr"].strip()
        assert all(rule["expr"].count(a) == rule["expr"].count(b) for a, b in ("()", "{}", "[]"))
        assert DURATION.match(rule["for"]), rule["for"]
        assert rule["labels"]["severity"] in ("page", "ticket")
        assert {"summary", "description"} <= set(rule["annotations"])


def test_rules_cover_what_operators_are_paged_for():
    exprs = {rule["alert"]: rule["expr"] for rule in rules()}
    watched = " ".join(exprs.values())
    assert 'status=~"5.."' in watched  # 5xx ratio
    assert "ct_http_request_duration_seconds_bucket" in watched  # p95 over aim
    assert "ct_ingest_lag_seconds" in watched
    assert "ct_fanout_breaker_open" in watched
    assert "ct_celery_task_failures_total" in watched
    assert "ct_alert_deliveries_total" in watched


def test_the_dashboard_shows_each_area():
    board = json.loads(DASHBOARD.read_text())
    assert board["uid"] == "control-tower"
    titles = {panel["title"] for panel in board["panels"]}
    for title in (
        "Request rate per route",
        "5xx error ratio per route",
        "p95 latency per route",
        "Events accepted and rejected",
        "Ingest lag",
        "Warehouse query p95",
        "Source call p95 latency",
        "Source call errors",
        "Breaker open",
        "Celery task runs and failures (per hour)",
        "Alert deliveries (per hour)",
    ):
        assert title in titles
    for panel in board["panels"]:
        assert panel["type"] == "row" or panel["targets"], panel["title"]


@duckdb_only
@pytest.mark.django_db
def test_every_series_the_dashboard_and_rules_name_is_exposed(client, client_for, operator, warehouse):
    api = client_for(operator)
    body = orjson.dumps(run_event("START"))
    assert api.post("/api/v1/lineage", data=body, content_type="application/json").status_code == 200
    assert api.get("/api/pipelines").status_code == 200
    page = scrape(client)
    assert page.samples("ct_ingest_events_total") and page.samples(
        "ct_warehouse_query_duration_seconds_bucket"
    )
    named = {
        name for expr in dashboard_exprs() + [r["expr"] for r in rules()] for name in SERIES.findall(expr)
    }
    assert named and named <= page.series_names(), named - page.series_names()
