"""Governance tests reuse the telemetry fixtures (DuckDB and Snowflake-via-fakesnow) and call
every write route as each persona."""

import pytest

from testsupport.warehouse import NOW  # noqa: F401

PERSONAS = ["anonymous", "viewer", "operator", "governance_admin", "governance_admin_2"]
# Governance writes need governance_admin (both admins may write; four eyes is about reviews).
EXPECTED = {
    "anonymous": 401,
    "viewer": 403,
    "operator": 403,
    "governance_admin": 200,
    "governance_admin_2": 200,
}


@pytest.fixture
def as_persona(request, client_for, anon_client):
    """as_persona("viewer") -> an API client authenticated as that persona (or anonymous)."""

    def build(name: str):
        return anon_client if name == "anonymous" else client_for(request.getfixturevalue(name))

    return build
