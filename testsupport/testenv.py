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
# Servers a test starts build their telemetry behind the data version's back (conftest.py).
os.environ["CT_RESPONSE_CACHE_SECONDS"] = "0"
os.environ["CT_PAGE_DATA_SECONDS"] = "0"
# Assisted triage at its defaults (bedrock, no provider settings), and no AWS credential the
# developer's shell or machine holds: no test, and no server a test starts, ever calls Bedrock or
# waits on an EC2 metadata service. A test that wants credentials sets them itself.
for var in [v for v in os.environ if v.startswith(("ASSISTED_", "BEDROCK_", "AZURE_OPENAI_", "OPENAI_"))]:
    os.environ.pop(var)
for var in (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
):
    os.environ.pop(var, None)
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(os.environ["CT_DATA_DIR"], "no-aws-credentials")
os.environ["AWS_CONFIG_FILE"] = os.path.join(os.environ["CT_DATA_DIR"], "no-aws-config")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
if os.environ.get("CT_TEST_DB") == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get(
        "CT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/controltower"
    )
else:
    os.environ.pop("DATABASE_URL", None)
