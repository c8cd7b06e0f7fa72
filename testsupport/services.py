"""Reachability of the real services the suite can use (PostgreSQL, Redis).

Absent services skip their tests locally; with CT_REQUIRE_SERVICES=1 (CI) they fail instead."""

import os
import socket
from urllib.parse import urlparse

import pytest

REQUIRED = os.environ.get("CT_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("CT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


def need(url: str, what: str) -> None:
    """Skip (or fail, when services are required) unless the service at url answers."""
    if reachable(url):
        return
    message = f"{what} is not reachable at {urlparse(url).netloc}"
    if REQUIRED:
        pytest.fail(f"{message} and CT_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(f"{message} (set CT_REQUIRE_SERVICES=1 to fail instead)")


def require_postgres_for_pass() -> None:
    url = os.environ["DATABASE_URL"]
    if reachable(url):
        return
    message = f"PostgreSQL is not reachable at {urlparse(url).netloc}"
    if REQUIRED:
        pytest.exit(f"{message} and CT_REQUIRE_SERVICES=1", returncode=1)
    pytest.exit(
        f"{message}: the PostgreSQL pass is skipped (CT_REQUIRE_SERVICES=1 fails instead)", returncode=0
    )
