"""Test-wide fixtures. The environment is prepared by testsupport/testenv.py (loaded with -p); the
shared fixtures (personas, tiers, the warehouse and its telemetry builder) are testsupport's plugins."""

import os

import pytest
from django.core.cache import cache
from django.db.backends.signals import connection_created

from governance_app.audit_triggers import allow_truncate_in_tests
from testsupport.services import require_postgres_for_pass

pytest_plugins = ["testsupport.personas", "testsupport.tiers", "testsupport.warehouse"]


def pytest_configure(config):
    if os.environ.get("CT_TEST_DB") == "postgres":
        require_postgres_for_pass()
        # pytest-django flushes test databases with TRUNCATE, which the audit tables refuse
        # unless the session opts in (governance_app/audit_triggers.py).
        connection_created.connect(allow_truncate_in_tests, dispatch_uid="ct-allow-truncate-in-tests")


@pytest.fixture(autouse=True)
def _documented_defaults(settings):
    settings.CT_PUBLIC_READ = False
    # Test users' passwords need no brute-force resistance; PBKDF2's work factor costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """API throttles count in the cache: each test starts with none used."""
    cache.clear()


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    """Tests build telemetry by writing the warehouse directly, which no data version sees: the
    response cache is off unless a test turns it on (controltower/tests/test_response_cache.py)."""
    settings.CT_RESPONSE_CACHE_SECONDS = 0
