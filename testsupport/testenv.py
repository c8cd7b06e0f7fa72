"""Loaded with `-p` before pytest-django reads settings: every test run gets its own data
directory and the documented defaults, whatever the developer's shell exports."""

import os
import tempfile

os.environ["CT_DATA_DIR"] = tempfile.mkdtemp(prefix="ct-test-")
for var in (
    "CT_SOURCES",
    "AWS_BASE",
    "AZURE_BASE",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "CT_PUBLIC_READ",
    "CT_WAREHOUSE_BACKEND",
    "CT_DUCKDB_PATH",
    "SF_ACCOUNT_IDENTIFIER",
    "SF_ACCOUNT_URL",
    "CT_ENV",
    "DEBUG",
):
    os.environ.pop(var, None)
if os.environ.get("CT_TEST_DB") == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get(
        "CT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/controltower"
    )
else:
    os.environ.pop("DATABASE_URL", None)
