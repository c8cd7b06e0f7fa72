"""The fan-out in /metrics after real aggregate requests to real (stub) source servers: calls per
source by outcome, their time, and the breaker of a failing source."""

import pytest

from testsupport.metrics import scrape


@pytest.fixture
def api(client_for, viewer):
    return client_for(viewer)


def test_calls_per_source_by_outcome_and_the_open_breaker(stub_sources, settings, api, client):
    settings.CT_SOURCE_BREAKER_THRESHOLD = 2
    stubs = stub_sources("aws", "azure")
    stubs["aws"].reply("/api/summary", {"pipelines": 3})
    stubs["azure"].stop()  # its port refuses connections
    before = scrape(client)
    for _ in range(3):
        assert api.get("/api/aggregate/summary?source=both").status_code == 200
    after = scrape(client)

    def delta(name: str, **labels) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert delta("ct_fanout_calls_total", source="aws", outcome="ok") == 3
    assert delta("ct_fanout_duration_seconds_count", source="aws") >= 3
    assert delta("ct_fanout_calls_total", source="azure", outcome="connection_error") == 2
    assert delta("ct_fanout_calls_total", source="azure", outcome="circuit_open") >= 1
    assert delta("ct_fanout_duration_seconds_count", source="azure") == 2  # not the answers-at-once
    assert after.value("ct_fanout_breaker_open", source="azure") == 1
    assert after.value("ct_fanout_breaker_open", source="aws") == 0
    assert delta("ct_http_requests_total", route="api/aggregate/summary", status="200") == 3


def test_a_recovered_source_closes_its_breaker_gauge(stub_sources, settings, api, client):
    settings.CT_SOURCE_BREAKER_THRESHOLD, settings.CT_SOURCE_BREAKER_COOLDOWN_S = 1, 0.0
    stubs = stub_sources("aws")
    # The summary asks /api/summary and /api/pipeline-keys at once: both fail (not JSON), so no
    # success of the other call closes the breaker first.
    stubs["aws"].garbage("/api/summary")
    stubs["aws"].garbage("/api/pipeline-keys")
    api.get("/api/aggregate/summary?source=aws")
    assert scrape(client).value("ct_fanout_breaker_open", source="aws") == 1
    stubs["aws"].reply("/api/summary", {"pipelines": 3})
    stubs["aws"].catalogue([])
    api.get("/api/aggregate/summary?source=aws")  # the trial call after the cool-down succeeds
    assert scrape(client).value("ct_fanout_breaker_open", source="aws") == 0
