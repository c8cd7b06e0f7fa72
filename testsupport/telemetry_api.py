"""Helpers for the telemetry API tests: a viewer's client at the builder's NOW (the `at_now`
fixture, testsupport.warehouse), and a counter of warehouse statements (to pin that list endpoints
run a fixed number of them).

    from testsupport.telemetry_api import NOW, iso
    from testsupport.telemetry_api import *  # noqa: F403  (fixtures: api, statements)
"""

from datetime import UTC

import pytest

from testsupport.warehouse import NOW  # noqa: F401 (the test modules import it from here)

__all__ = ["api", "statements"]  # the fixtures; test modules star-import them


@pytest.fixture
def api(client_for, viewer, at_now):
    return client_for(viewer)


@pytest.fixture
def statements(warehouse, monkeypatch):
    """Counts fetch_all calls on the process-wide warehouse while the test runs."""
    calls = []
    original = warehouse.fetch_all

    def counting(sql, params=()):
        calls.append(sql)
        return original(sql, params)

    monkeypatch.setattr(warehouse, "fetch_all", counting)
    return calls


def iso(dt) -> str:
    """How the API renders a naive-UTC telemetry timestamp."""
    return dt.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
