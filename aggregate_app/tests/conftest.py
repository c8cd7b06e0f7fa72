"""Fixtures of the aggregate tests: stub sources (testsupport/stubs.py) configured as the control
tier's sources."""

import pytest

from aggregate_app import breaker
from testsupport.live_servers import live_estate
from testsupport.stubs import TOKENS, StubSource


@pytest.fixture
def stub_sources(settings, monkeypatch, control_tier):
    """start(*names) -> {name: StubSource}, configured as this control tier's sources (with a
    service token each), fast timeouts, fresh breakers."""
    started: list[StubSource] = []
    settings.CT_SOURCE_TIMEOUT_S = 1.0
    settings.CT_SOURCE_RETRIES = 1
    settings.CT_SOURCE_BREAKER_THRESHOLD = 3
    settings.CT_SOURCE_BREAKER_COOLDOWN_S = 30.0
    breaker.reset()

    def start(*names: str) -> dict[str, StubSource]:
        stubs = {n: StubSource(n).start() for n in names}
        started.extend(stubs.values())
        settings.CT_SOURCES = ",".join(f"{n}={s.url}" for n, s in stubs.items())
        for n in names:
            monkeypatch.setenv(f"CT_SOURCE_{n.upper()}_TOKEN", TOKENS.get(n, f"{n}-token"))
        return stubs

    yield start
    for stub in started:
        stub.stop()
    breaker.reset()


@pytest.fixture
def live_tiers_as_sources(settings, monkeypatch):
    """The shared live estate's two sources as this control tier's sources (their service token
    also for a configured-but-absent gcp)."""
    estate = live_estate()
    settings.CT_SOURCES = f"aws={estate.aws.url},azure={estate.azure.url}"
    for name in ("AWS", "AZURE", "GCP"):
        monkeypatch.setenv(f"CT_SOURCE_{name}_TOKEN", estate.token)
    return estate


@pytest.fixture
def live_control(settings, monkeypatch, control_tier):
    """This test process as the control tier over the shared live estate's two sources, calling
    them with the estate's service account (so governance admins may write through it)."""
    from .live_sources import live_sources

    live = live_sources()
    settings.CT_SOURCES = ",".join(f"{n}={s.url}" for n, s in live.items())
    settings.CT_SOURCE_TIMEOUT_S = 10.0
    for name, source in live.items():
        monkeypatch.setenv(f"CT_SOURCE_{name.upper()}_TOKEN", source.token)
    breaker.reset()
    yield live
    breaker.reset()
