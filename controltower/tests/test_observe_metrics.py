"""/metrics on each tier: Prometheus text, requests counted per route pattern (never the raw
path), Celery task runs and failures, open in development and guarded in production by a bearer
token or an address allow-list, absent from the OpenAPI schema."""

import re

import pytest
from django.test import RequestFactory

from controltower.celery import ping
from controltower.observe import checks
from testsupport.metrics import scrape

pytestmark = pytest.mark.django_db
RUNS_ROUTE = "api/pipelines/<str:pipeline_id>/runs"


def test_each_tier_serves_metrics(client, each_tier):
    client.get("/health")
    page = scrape(client)
    assert page.value("ct_http_requests_total", method="GET", route="health", status="200") >= 1
    assert page.samples("ct_http_request_duration_seconds_bucket")


def test_requests_are_counted_by_route_pattern_not_path(client_for, viewer, duckdb_warehouse, client):
    api = client_for(viewer)
    before = scrape(client)
    for pipeline in ("p-first", "p-second", "p-third"):
        api.get(f"/api/pipelines/{pipeline}/runs")
    api.get("/no/such/route/4711")
    after = scrape(client)
    runs = after.value("ct_http_requests_total", route=RUNS_ROUTE) - before.value(
        "ct_http_requests_total", route=RUNS_ROUTE
    )
    assert runs == 3
    count = "ct_http_request_duration_seconds_count"
    assert after.value(count, route=RUNS_ROUTE) - before.value(count, route=RUNS_ROUTE) == 3
    assert after.value("ct_http_requests_total", route="<unmatched>", status="404") >= 1
    labels = " ".join(re.findall(r"\{[^}]*\}", after.text))  # label sets only: a value may hold 4711
    assert "p-first" not in labels and "4711" not in labels


def test_a_server_error_is_counted_with_its_status(client, settings, db, monkeypatch):
    from controltower import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.VersionView, "get", broken)
    client.raise_request_exception = False
    before = scrape(client).value("ct_http_requests_total", route="version", status="500")
    assert client.get("/version").status_code == 500
    assert scrape(client).value("ct_http_requests_total", route="version", status="500") == before + 1


def test_celery_task_runs_and_failures_are_counted_by_task(client):
    before = scrape(client)
    assert ping.apply(args=["hello"]).get() == "hello"
    assert ping.apply(args=[1, 2, 3]).failed()  # too many arguments: the run raises
    after = scrape(client)

    def delta(name: str, **labels) -> float:
        return after.value(name, task="controltower.ping", **labels) - before.value(
            name, task="controltower.ping", **labels
        )

    assert delta("ct_celery_task_runs_total", state="success") == 1
    assert delta("ct_celery_task_runs_total", state="failure") == 1
    assert delta("ct_celery_task_failures_total") == 1


def test_metrics_are_open_outside_production(client, settings):
    settings.PRODUCTION = False
    settings.CT_METRICS_TOKEN, settings.CT_METRICS_ALLOW = "", []
    assert client.get("/metrics").status_code == 200


def test_production_needs_the_bearer_token(client, settings):
    settings.PRODUCTION = True
    settings.CT_METRICS_TOKEN, settings.CT_METRICS_ALLOW = "scrape-secret-token", []
    refused = client.get("/metrics")
    assert refused.status_code == 403 and refused["WWW-Authenticate"].startswith("Bearer")
    assert b"ct_http_requests_total" not in refused.content
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Token scrape-secret-token").status_code == 403
    scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-token")


def test_production_allows_listed_addresses_behind_proxies(client, settings):
    settings.PRODUCTION = True
    settings.CT_METRICS_TOKEN, settings.CT_METRICS_ALLOW = "", ["10.0.0.0/8", "192.0.2.7"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.8").status_code == 403
    settings.CT_NUM_PROXIES = 1  # the proxy's own address is not the client's
    assert (
        client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    )
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.1.1, 203.0.113.9"}
    assert client.get("/metrics", **forged).status_code == 403  # only the proxy's entry is trusted
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 200


def test_production_with_neither_token_nor_list_refuses_everyone(client, settings):
    settings.PRODUCTION = True
    settings.CT_METRICS_TOKEN, settings.CT_METRICS_ALLOW = "", []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_metrics_are_not_in_the_schema(client_for, viewer, each_tier):
    paths = client_for(viewer).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/health" in paths and "/metrics" not in paths


def test_a_bad_allow_list_entry_is_a_named_error(settings):
    settings.CT_METRICS_ALLOW = ["10.0.0.0/8", "not-a-network"]
    assert [e.id for e in checks.check_metrics_allow()] == ["ct.E040"]
    settings.CT_METRICS_ALLOW = ["10.0.0.0/8", "2001:db8::/32"]
    assert checks.check_metrics_allow() == []


def test_an_unknown_log_format_is_a_named_error(settings):
    settings.LOG_FORMAT = "xml"
    assert [e.id for e in checks.check_log_format()] == ["ct.E041"]


def test_an_answer_given_before_url_resolution_still_counts_under_its_route(client):
    """A middleware that answers early (a response cache) leaves no resolver match behind."""
    from django.http import HttpResponse

    from controltower.observe.middleware import MetricsMiddleware

    early = MetricsMiddleware(lambda request: HttpResponse("cached"))
    before = scrape(client).value("ct_http_requests_total", route="version", status="200")
    early(RequestFactory().get("/version"))
    early(RequestFactory().get("/no/such/route"))
    page = scrape(client)
    assert page.value("ct_http_requests_total", route="version", status="200") == before + 1
    assert page.value("ct_http_requests_total", route="<unmatched>", status="200") >= 1
