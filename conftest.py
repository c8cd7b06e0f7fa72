"""Test-wide fixtures. The environment is prepared by controltower/tests/testenv.py (loaded with -p)."""

import os

import pytest
from django.core.cache import cache
from django.db.backends.signals import connection_created

from controltower.tests.personas import *  # noqa: F401,F403
from controltower.tests.services import require_postgres_for_pass
from controltower.tests.tiers import control_tier, each_tier  # noqa: F401
from governance_app.audit_triggers import allow_truncate_in_tests
from pipelines_app.tests.fixtures import duckdb_warehouse, fakesnow_server, telemetry, warehouse  # noqa: F401


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
