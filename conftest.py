"""Test-wide setup: an isolated data directory, the optional PostgreSQL pass, and personas."""

import os
import tempfile

# Before Django reads settings: every test run gets its own data directory.
os.environ["CT_DATA_DIR"] = tempfile.mkdtemp(prefix="ct-test-")
for var in ("CT_SOURCES", "AWS_BASE", "AZURE_BASE", "CELERY_BROKER_URL", "CT_PUBLIC_READ", "SF_ACCOUNT_IDENTIFIER", "SF_ACCOUNT_URL"):
    os.environ.pop(var, None)
if os.environ.get("CT_TEST_DB") == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get("CT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/controltower")
else:
    os.environ.pop("DATABASE_URL", None)

import pytest  # noqa: E402

from controltower.tests.personas import *  # noqa: E402,F401,F403
from controltower.tests.services import require_postgres_for_pass  # noqa: E402


def pytest_configure(config):
    if os.environ.get("CT_TEST_DB") == "postgres":
        require_postgres_for_pass()


@pytest.fixture(autouse=True)
def _isolated_settings(settings):
    """Tests start from the documented defaults, whatever the developer's shell exports."""
    settings.CT_PUBLIC_READ = False
