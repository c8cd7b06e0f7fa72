"""The response cache (controltower/response_cache.py) over the real DuckDB / Snowflake-path warehouse:
a write shows in the very next read, ETags round-trip, callers never share what they may not see."""

import orjson
import pytest
from django.core.management import call_command

from controltower import tokens
from controltower.roles import LINEAGE_WRITE
from pipelines_app import data_version
from testsupport.ingest_events import run_event
from testsupport.telemetry_api import *  # noqa: F403  (fixtures: api, statements)
from testsupport.warehouse import duckdb_only

JOB = "finance_daily.load_ledger"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.CT_RESPONSE_CACHE_SECONDS = 60


@pytest.fixture
def ingest(client_for, operator, warehouse):
    client = client_for(operator)

    def post(event_type: str, run_id: str, when: str) -> str:
        body = orjson.dumps(run_event(event_type, run_id=run_id, when=when, job=JOB))
        response = client.post("/api/v1/lineage", data=body, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()["pipeline_id"]

    return post


RUN = "0190a5c4-0000-7000-8000-000000000001"


def test_an_ingest_shows_in_the_next_read_of_the_pipeline_and_the_summary(api, ingest, statements):
    pipeline = ingest("START", RUN, "2026-11-20T11:00:00Z")
    url = f"/api/pipelines/{pipeline}"
    before, summary = api.get(url).json(), api.get("/api/summary").json()
    assert summary["running"] == 1 and before["last_status"] == "RUNNING"

    statements.clear()
    assert api.get(url).json() == before and api.get("/api/summary").json() == summary
    assert not [s for s in statements if "CT_DATA_VERSION" not in s]  # served without the warehouse

    ingest("COMPLETE", RUN, "2026-11-20T11:30:00Z")
    after = api.get(url).json()
    assert after["last_status"] == "SUCCESS" and after["last_end_ts"] == "2026-11-20T11:30:00Z"
    assert api.get("/api/summary").json()["running"] == 0


def test_a_governance_write_shows_in_the_next_read(api, client_for, operator, warehouse):
    assert api.get("/api/runbooks/governance").json()["total"] == 0
    assert api.get("/api/runbooks/governance").json()["total"] == 0
    body = {"pipeline_id": "p1", "state": "open", "owner": "ops@example.com", "reason": "no runbook"}
    written = client_for(operator).post("/api/runbooks/governance/upsert", body, format="json")
    assert written.status_code == 200
    assert api.get("/api/runbooks/governance").json()["total"] == 1


def test_etag_round_trip(api, ingest, statements):
    pipeline = ingest("START", RUN, "2026-11-20T11:00:00Z")
    url = f"/api/pipelines/{pipeline}"
    first = api.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert first["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}

    statements.clear()
    unchanged = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag and not unchanged.content
    assert not [s for s in statements if "CT_DATA_VERSION" not in s]

    ingest("COMPLETE", RUN, "2026-11-20T11:30:00Z")
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["last_status"] == "SUCCESS"


@duckdb_only
def test_callers_never_get_an_answer_they_may_not_see(
    api, viewer, governance_admin, client_for, anon_client, warehouse, statements
):
    assert api.get("/api/summary").status_code == 200  # the viewer's answer is now kept
    assert anon_client.get("/api/summary").status_code == 401
    bad = anon_client.get("/api/summary", HTTP_AUTHORIZATION="Token not-a-real-token-at-all")
    assert bad.status_code == 401
    scoped = tokens.issue(viewer, name="ol", scopes=[LINEAGE_WRITE])[1]
    assert anon_client.get("/api/summary", HTTP_AUTHORIZATION=f"Token {scoped}").status_code == 403
    tokens.revoke(viewer.api_tokens.filter(name="default"))
    assert api.get("/api/summary").status_code == 401

    statements.clear()  # another role's first read is computed for it, not taken from the viewer's
    assert client_for(governance_admin).get("/api/summary").status_code == 200
    assert statements


@duckdb_only
def test_cache_off(settings, api, warehouse, statements):
    settings.CT_RESPONSE_CACHE_SECONDS = 0
    first = api.get("/api/summary")
    assert first.status_code == 200 and "ETag" not in first
    statements.clear()
    api.get("/api/summary")
    assert statements


@duckdb_only
@pytest.mark.django_db  # load_demo and warehouse_init copy governance's SLA assignments
def test_every_loader_run_changes_the_data_version(warehouse):
    seen = {data_version.current()}
    for command in ("warehouse_init", "refresh_run_state", "purge_lineage_events"):
        call_command(command, stdout=open("/dev/null", "w"))
        seen.add(data_version.current())
    assert len(seen) == 4


@duckdb_only
def test_with_a_shared_cache_the_versions_live_there(
    monkeypatch, api, ingest, client_for, operator, django_capture_on_commit_callbacks
):
    """As with Redis: every process reads the versions from the cache, and every writer bumps them."""
    for module in (
        "controltower.response_cache",
        "pipelines_app.data_version",
        "governance_app.data_version",
    ):
        monkeypatch.setattr(f"{module}.cache_is_shared", lambda: True)
    pipeline = ingest("START", RUN, "2026-11-20T11:00:00Z")
    assert api.get(f"/api/pipelines/{pipeline}").json()["last_status"] == "RUNNING"
    ingest("COMPLETE", RUN, "2026-11-20T11:30:00Z")
    assert api.get(f"/api/pipelines/{pipeline}").json()["last_status"] == "SUCCESS"

    assert api.get("/api/runbooks/governance").json()["total"] == 0
    body = {"pipeline_id": "p1", "state": "open", "owner": "ops@example.com", "reason": "no runbook"}
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client_for(operator).post("/api/runbooks/governance/upsert", body, format="json").status_code
            == 200
        )
    assert api.get("/api/runbooks/governance").json()["total"] == 1


# -- the early path (HotReadMiddleware): a plain token's hit, before the session/auth middleware and DRF
PER_REQUEST = {"X-Request-ID"}
PIPELINE_ROUTE = "api/pipelines/<str:pipeline_id>"


@pytest.fixture
def drf_views(monkeypatch):
    """How many requests reached a DRF view."""
    from rest_framework.views import APIView

    calls = []
    original = APIView.dispatch

    def counting(self, request, *args, **kwargs):
        calls.append(request.path)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "dispatch", counting)
    return calls


def headers_of(response) -> dict:
    return {k: v for k, v in response.items() if k not in PER_REQUEST}


def test_a_hit_repeats_the_computed_answer_with_every_header(api, ingest, drf_views):
    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    computed = api.get(url)
    drf_views.clear()
    kept = api.get(url)
    assert not drf_views  # answered before DRF
    assert kept.status_code == 200 and kept.content == computed.content
    assert headers_of(kept) == headers_of(computed)
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert kept[header], header
    assert kept["X-Request-ID"] and kept["X-Request-ID"] != computed["X-Request-ID"]


def test_a_hit_revalidates_to_a_304_with_the_same_headers(api, ingest, drf_views):
    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    computed = api.get(url)
    drf_views.clear()
    unchanged = api.get(url, HTTP_IF_NONE_MATCH=f'W/"other", {computed["ETag"]}')
    assert not drf_views and unchanged.status_code == 304 and not unchanged.content
    expected = {k: v for k, v in headers_of(computed).items() if k not in ("Content-Type", "Content-Length")}
    assert {k: v for k, v in headers_of(unchanged).items() if k != "Content-Length"} == expected
    assert api.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_revoked_token_or_inactive_user_is_refused_at_once_on_a_kept_answer(
    api, viewer, ingest, client_for, drf_views
):
    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    assert api.get(url).status_code == 200 and api.get(url).status_code == 200
    tokens.revoke(viewer.api_tokens.all())
    refused = api.get(url)
    assert refused.status_code == 401 and refused.json()["error"]["message"] == "This token is revoked."

    other = client_for(viewer)  # a new token of the same viewer, then the viewer is deactivated
    other.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(viewer, name='second')[1]}")
    assert other.get(url).status_code == 200
    viewer.is_active = False
    viewer.save()
    assert other.get(url).status_code == 401


def test_a_kept_answer_counts_against_the_callers_rate_once(settings, api, ingest, drf_views):
    from testsupport.throttling import set_rates

    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    set_rates(settings, user="3/min")
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(url)
    assert refused.status_code == 429 and refused.json()["error"]["details"]["scope"] == "user"


def test_kept_answers_are_counted_under_their_route(api, ingest, client):
    from testsupport.metrics import scrape

    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    api.get(url)
    before = scrape(client)
    for _ in range(3):
        assert api.get(url).status_code == 200
    after = scrape(client)
    for name, labels in (
        ("ct_http_requests_total", {"status": "200"}),
        ("ct_http_request_duration_seconds_count", {}),
    ):
        counted = after.value(name, route=PIPELINE_ROUTE, **labels) - before.value(
            name, route=PIPELINE_ROUTE, **labels
        )
        assert counted == 3, name


def test_an_answer_is_never_older_than_the_cache_length(settings, api, ingest, statements, at_now):
    """Computed again once it is as old as CT_RESPONSE_CACHE_SECONDS; the last REFRESH_AHEAD_S
    before that, one request computes it while the others are still served the kept one."""
    from datetime import timedelta

    import time_machine

    from controltower.response_cache import REFRESH_AHEAD_S
    from testsupport.warehouse import NOW_UTC

    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    first = api.get(url).json()
    seconds = settings.CT_RESPONSE_CACHE_SECONDS
    warehouse_reads = lambda: [s for s in statements if "CT_DATA_VERSION" not in s]  # noqa: E731

    with time_machine.travel(NOW_UTC + timedelta(seconds=seconds - REFRESH_AHEAD_S - 1), tick=False):
        statements.clear()
        assert api.get(url).json() == first and not warehouse_reads()
    with time_machine.travel(NOW_UTC + timedelta(seconds=seconds - 1), tick=False):
        statements.clear()
        assert api.get(url).json() == first and warehouse_reads()  # this one computed it again
        statements.clear()
        assert api.get(url).json() == first and not warehouse_reads()  # the others are served
    with time_machine.travel(NOW_UTC + timedelta(seconds=2 * seconds), tick=False):
        statements.clear()
        assert api.get(url).json() == first and warehouse_reads()


def test_other_callers_take_the_full_path_with_the_same_answer(
    api, viewer, ingest, client_for, drf_views, client
):
    url = f"/api/pipelines/{ingest('START', RUN, '2026-11-20T11:00:00Z')}"
    kept = api.get(url)
    drf_views.clear()
    assert api.get(url, HTTP_ACCEPT="application/json; indent=2").content != kept.content
    bearer = client_for(viewer, keyword="Bearer").get(url)
    assert bearer.content == kept.content and len(drf_views) == 1
    client.force_login(viewer)  # a session (the UI)
    by_session = client.get(url)
    assert by_session.content == kept.content and by_session["ETag"] == kept["ETag"]
    assert len(drf_views) == 2


@duckdb_only
@pytest.mark.django_db(transaction=True)  # the token is committed: every thread's connection sees it
def test_threads_that_find_no_answer_wait_for_the_one_computing_it(
    client_for, viewer, warehouse, monkeypatch
):
    import threading

    from pipelines_app import summary

    computed, gate = [], threading.Event()
    original = summary.build_summary

    def slow_summary():
        computed.append(1)
        gate.wait(5)  # the other threads arrive meanwhile
        return original()

    monkeypatch.setattr(summary, "build_summary", slow_summary)
    statuses = []

    def read():
        statuses.append(client_for(viewer).get("/api/summary").status_code)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    while not computed:
        threading.Event().wait(0.01)
    threading.Event().wait(0.3)
    gate.set()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * 4 and len(computed) == 1
