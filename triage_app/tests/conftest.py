"""Triage fixtures: the telemetry fixtures (DuckDB and Snowflake-via-fakesnow), a clock at the
builder's NOW, assisted settings at their documented defaults, and a small incident orders_incident."""

from datetime import UTC, timedelta

import boto3
import pytest
import time_machine

from governance_app.models import RunbookGovernance
from governance_app.write_scope import acting
from testsupport.llm_server import ChatServer
from testsupport.triage_answers import OPENAI_TEST_KEY, SNOWFLAKE_DENIED
from testsupport.warehouse import NOW
from triage_app.providers import aws_credentials


@pytest.fixture(autouse=True)
def _assisted_defaults(settings):
    settings.ASSISTED_TRIAGE_PROVIDER = "bedrock"
    settings.ASSISTED_FAILURE_POLICY = "fallback"
    settings.ASSISTED_RETRY_MAX_ATTEMPTS = 4
    settings.ASSISTED_RETRY_BASE_MS = 1
    settings.ASSISTED_TIMEOUT_S = 5.0
    settings.BEDROCK_MODEL_ID = settings.BEDROCK_DEFAULT_MODEL_ID
    settings.BEDROCK_REGION = "ap-southeast-2"
    settings.AZURE_OPENAI_ENDPOINT = ""
    settings.AZURE_OPENAI_API_KEY = ""
    settings.AZURE_OPENAI_DEPLOYMENT = ""
    settings.AZURE_OPENAI_API_VERSION = "2024-10-21"
    settings.OPENAI_BASE_URL = ""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_MODEL = ""
    settings.CT_SOURCE_NAME = "aws"


@pytest.fixture(autouse=True)
def _aws_credentials_asked_afresh():
    """Each test asks the AWS credential chain anew (this module's answer and boto3's default
    session keep theirs per process), in the environment testsupport/testenv.py leaves: no
    credentials, no instance metadata service."""
    aws_credentials.missing.cache_clear()
    boto3.DEFAULT_SESSION = None
    yield
    aws_credentials.missing.cache_clear()
    boto3.DEFAULT_SESSION = None


@pytest.fixture
def openai_provider(settings, chat_server):
    """Assisted triage through the OpenAI-compatible provider, answered by the local chat server."""
    settings.ASSISTED_TRIAGE_PROVIDER = "openai"
    settings.OPENAI_BASE_URL = f"{chat_server.url}/v1"
    settings.OPENAI_MODEL = "local-llm"
    settings.OPENAI_API_KEY = OPENAI_TEST_KEY
    return chat_server


@pytest.fixture
def clock():
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def orders_incident(telemetry, clock, db):  # noqa: F811
    """orders_daily (dbt on Snowflake, critical) failed an hour ago on a revoked grant; it feeds an
    executive dashboard, a weekly report and, through a forecast pipeline, an ML model."""
    t = telemetry
    t.pipeline(
        "p_orders",
        pipeline_name="orders_daily",
        platform="dbt",
        criticality="critical",
        team="commerce",
        owner="orders-team@example.com",
        runbook_url="https://runbooks.example.com/orders_daily",
    )
    t.pipeline("p_forecast", pipeline_name="demand_forecast_train", platform="spark", criticality="high")
    failed = t.run(
        "p_orders",
        "FAILED",
        run_id="r-100",
        ago=timedelta(hours=1),
        minutes=3,
        error_code="003001",
        error_message=SNOWFLAKE_DENIED,
    )
    for days in (1, 2, 3):
        t.run("p_orders", "SUCCESS", ago=timedelta(days=days), minutes=10)
    t.run("p_orders", "FAILED", ago=timedelta(days=4), error_code="003001", error_message=SNOWFLAKE_DENIED)
    t.run("p_orders", "SUCCESS", ago=timedelta(days=10))
    t.dataset("fct_orders", "table")
    t.dataset(
        "exec_sales",
        "dashboard",
        name="Executive sales",
        criticality="critical",
        owner="cfo-office@example.com",
    )
    t.dataset("finance_weekly", "report", name="Finance weekly", criticality="medium")
    t.dataset("demand_forecast", "ml_model", name="Demand forecast", criticality="high")
    t.edge("p_orders", "pipeline", "fct_orders", "dataset")
    t.edge("fct_orders", "dataset", "exec_sales", "dataset")
    t.edge("fct_orders", "dataset", "finance_weekly", "dataset")
    t.edge("fct_orders", "dataset", "p_forecast", "pipeline")
    t.edge("p_forecast", "pipeline", "demand_forecast", "dataset")
    for days in range(7):
        t.cost("p_orders", NOW.date() - timedelta(days=days), 10.0)
    t.cost("p_orders", NOW.date(), 4.5, run_id="r-100")
    with acting():  # no audit row: some triage tests flush the database, and audit rows refuse deletes
        RunbookGovernance.objects.create(
            pipeline_id="p_orders", state="in_progress", owner="dana@example.com"
        )
    return failed


@pytest.fixture
def chat_server():
    with ChatServer() as server:
        yield server
