"""The fan-out client against real HTTP servers: concurrency, timeouts, retries, the circuit
breaker, and what travels with every call."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aggregate_app import breaker, client, sources
from controltower.middleware import current_request_id


def fetch(path="/api/summary", **call):
    return client.fetch(sources.configured(), client.Call(path=path, **call))


def timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def test_sources_are_asked_concurrently(stub_sources):
    stubs = stub_sources("aws", "azure", "gcp")
    for name, stub in stubs.items():
        stub.reply("/api/summary", {"name": name}, delay=0.3)
    outcomes, elapsed = timed(fetch)
    assert {n: o.data for n, o in outcomes.items()} == {n: {"name": n} for n in stubs}
    assert elapsed < 0.6  # about the slowest source, not the sum (0.9 s)
    assert all(o.latency_ms >= 300 for o in outcomes.values())


def test_a_hanging_source_costs_at_most_its_timeout(stub_sources, settings):
    stubs = stub_sources("aws", "azure")
    stubs["aws"].reply("/api/summary", {"ok": 1})
    stubs["azure"].hang("/api/summary")
    settings.CT_SOURCE_TIMEOUT_S = 0.5
    outcomes, elapsed = timed(fetch)
    assert outcomes["aws"].ok and outcomes["aws"].data == {"ok": 1}
    assert outcomes["azure"].kind == "timeout" and "0.5s" in outcomes["azure"].reason
    assert 0.45 < elapsed < 0.9


def test_breaker_opens_after_consecutive_failures_and_answers_at_once(stub_sources, settings):
    stubs = stub_sources("aws", "azure")
    stubs["aws"].reply("/api/summary", {"ok": 1})
    stubs["azure"].hang("/api/summary")
    settings.CT_SOURCE_TIMEOUT_S = 0.3
    for _ in range(3):
        assert fetch()["azure"].kind == "timeout"
    asked = len(stubs["azure"].requests)
    outcomes, elapsed = timed(fetch)
    assert outcomes["azure"].kind == "circuit_open"
    assert outcomes["aws"].ok
    assert elapsed < 0.2
    assert len(stubs["azure"].requests) == asked  # the open breaker did not call the source
    assert breaker.states()["azure"]["state"] == breaker.OPEN


def test_breaker_half_opens_after_cool_down_and_closes_on_success(stub_sources, settings):
    stubs = stub_sources("aws")
    stubs["aws"].reply("/api/summary", {"boom": True}, status=500)
    settings.CT_SOURCE_BREAKER_COOLDOWN_S = 0.3
    settings.CT_SOURCE_RETRIES = 0
    for _ in range(3):
        assert fetch()["aws"].kind == "server_error"
    assert fetch()["aws"].kind == "circuit_open"
    time.sleep(0.35)
    assert breaker.states()["aws"]["state"] == breaker.HALF_OPEN
    stubs["aws"].reply("/api/summary", {"fine": True})
    assert fetch()["aws"].data == {"fine": True}
    assert breaker.states()["aws"] == {
        "url": stubs["aws"].url,
        "state": breaker.CLOSED,
        "consecutive_failures": 0,
    }


def test_a_failed_trial_call_reopens_the_breaker(stub_sources, settings):
    stubs = stub_sources("aws")
    stubs["aws"].reply("/api/summary", {}, status=503)
    settings.CT_SOURCE_BREAKER_COOLDOWN_S = 0.2
    settings.CT_SOURCE_RETRIES = 0
    for _ in range(3):
        fetch()
    time.sleep(0.25)
    assert fetch()["aws"].kind == "server_error"  # the trial went out and failed
    assert fetch()["aws"].kind == "circuit_open"  # open again, for another cool-down


def test_a_slow_source_answering_within_its_timeout_keeps_its_breaker_closed(stub_sources, settings):
    stubs = stub_sources("aws")
    stubs["aws"].reply("/api/summary", {"ok": 1}, delay=0.6)
    settings.CT_SOURCE_TIMEOUT_S = 1.0
    for _ in range(4):
        assert fetch()["aws"].data == {"ok": 1}
    assert breaker.states()["aws"]["state"] == breaker.CLOSED


def test_a_call_kept_waiting_by_a_busy_control_tier_does_not_open_the_sources_breaker(
    stub_sources, settings, monkeypatch
):
    """With every fan-out thread busy (here: one thread, held by a hung source), azure's call never
    goes out: this answer marks it timed out, but azure is not blamed for it."""
    stubs = stub_sources("aws", "azure")
    stubs["aws"].hang("/api/summary")
    stubs["azure"].reply("/api/summary", {"ok": 2})
    settings.CT_SOURCE_TIMEOUT_S = 0.3
    monkeypatch.setattr(client, "_pool", ThreadPoolExecutor(max_workers=1))
    for _ in range(3):
        outcomes = fetch()
        assert outcomes["aws"].kind == "timeout"
        assert outcomes["azure"].kind == "timeout" and "free fan-out thread" in outcomes["azure"].reason
    assert breaker.states()["aws"]["state"] == breaker.OPEN
    assert breaker.states()["azure"]["state"] == breaker.CLOSED
    time.sleep(0.35)  # the held thread is free again once aws's call ends at its deadline
    outcomes = fetch()
    assert outcomes["aws"].kind == "circuit_open"
    assert outcomes["azure"].data == {"ok": 2}


def test_each_source_gets_its_own_call_at_once(stub_sources):
    stubs = stub_sources("aws", "azure", "gcp")
    for stub in stubs.values():
        stub.reply("/api/pipelines", handler=lambda req: (200, {"ids": req.query["pipeline_ids"]}), delay=0.3)
    calls = {s: client.Call("/api/pipelines", params={"pipeline_ids": s.name}) for s in sources.configured()}
    outcomes, elapsed = timed(lambda: client.fetch_each(calls))
    assert {n: o.data for n, o in outcomes.items()} == {n: {"ids": [n]} for n in stubs}
    assert elapsed < 0.6  # about one source's time, not three


def test_client_errors_do_not_trip_the_breaker(stub_sources):
    stubs = stub_sources("aws")
    stubs["aws"].reply(
        "/api/summary", {"error": {"code": "invalid_parameter", "message": "bad days"}}, status=400
    )
    for _ in range(5):
        assert fetch()["aws"].kind == "rejected"
    assert breaker.states()["aws"]["state"] == breaker.CLOSED


def test_idempotent_gets_retry_transient_failures(stub_sources):
    stubs = stub_sources("aws")
    answers = iter([(503, {"error": {"code": "busy", "message": "warming up"}}), (200, {"ok": True})])
    stubs["aws"].reply("/api/summary", handler=lambda req: next(answers))
    outcome = fetch()["aws"]
    assert outcome.ok and outcome.data == {"ok": True}
    assert len(stubs["aws"].calls("/api/summary")) == 2


def test_writes_are_never_retried(stub_sources):
    stubs = stub_sources("aws")
    stubs["aws"].reply(
        "/api/policies/assign", {"error": {"code": "busy", "message": "try later"}}, status=503
    )
    outcome = fetch("/api/policies/assign", method="POST", body={"scope": "team"})["aws"]
    assert outcome.kind == "server_error"
    assert len(stubs["aws"].calls("/api/policies/assign")) == 1


def test_invalid_json_is_classified_and_counts_against_the_breaker(stub_sources):
    stubs = stub_sources("aws")
    stubs["aws"].garbage("/api/summary")
    outcome = fetch()["aws"]
    assert outcome.kind == "invalid_json" and not outcome.ok and outcome.breaker_failure
    assert "not JSON" in outcome.reason and "text/html" in outcome.reason


def test_a_stopped_source_is_a_connection_error(stub_sources):
    stubs = stub_sources("aws", "azure")
    stubs["aws"].reply("/api/summary", {"ok": 1})
    stubs["azure"].reply("/api/summary", {"ok": 2})
    assert fetch()["azure"].ok  # a pooled connection now exists
    stubs["azure"].stop()
    outcomes = fetch()
    assert outcomes["aws"].ok
    assert outcomes["azure"].kind == "connection_error" and outcomes["azure"].reason == "connection refused"


def test_token_request_id_and_acting_user_travel_with_the_call(stub_sources):
    stubs = stub_sources("aws", "azure")
    for stub in stubs.values():
        stub.reply("/api/summary", {})
    token = current_request_id.set("req-42")
    try:
        fetch(acting_user="gina")
    finally:
        current_request_id.reset(token)
    for name, stub in stubs.items():
        headers = stub.requests[-1].headers
        assert headers["Authorization"] == f"Token {name}-service-token"
        assert headers["X-Request-ID"] == "req-42"
        assert headers["X-Acting-User"] == "gina"


def test_cookies_from_a_source_are_not_kept(stub_sources):
    stubs = stub_sources("aws")
    stubs["aws"].reply("/api/summary", {}, headers={"Set-Cookie": "sessionid=abc; Path=/"})
    fetch()
    fetch()
    assert "Cookie" not in stubs["aws"].requests[-1].headers
    assert not client.session_for(sources.configured()[0]).cookies


def test_a_body_source_field_names_the_receiving_source(stub_sources):
    stubs = stub_sources("aws", "azure")
    for stub in stubs.values():
        stub.reply("/api/triage/query", {"summary": "x"})
    fetch("/api/triage/query", method="POST", body={"source": "both", "pipeline_id": "p2"})
    assert stubs["aws"].requests[-1].json() == {"source": "aws", "pipeline_id": "p2"}
    assert stubs["azure"].requests[-1].json() == {"source": "azure", "pipeline_id": "p2"}


@pytest.mark.parametrize("total", [3, 1200])
def test_a_window_collects_pages_up_to_offset_plus_limit(stub_sources, total):
    stubs = stub_sources("aws")

    def page(req):
        offset, limit = int(req.query["offset"][0]), int(req.query["limit"][0])
        assert limit <= client.PAGE_MAX
        items = [{"i": i} for i in range(offset, min(offset + limit, total))]
        return 200, {"items": items, "total": total, "offset": offset, "limit": limit}

    stubs["aws"].reply("/api/pipelines", handler=page)
    outcome = fetch("/api/pipelines", window=(600, 100))["aws"]
    assert [i["i"] for i in outcome.data["items"]] == list(range(min(700, total)))
    assert outcome.data["complete"] is (total <= 700)
    assert len(stubs["aws"].calls("/api/pipelines")) == (1 if total == 3 else 2)
