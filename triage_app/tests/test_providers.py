"""Which provider answers `mode=assisted`, as the settings document it: Bedrock by default, which
without AWS credentials answers with the rules and the fallback warning (asking the EC2 metadata
service once per process, not once per answer); `auto` is Azure OpenAI when configured, else
Bedrock; the OpenAI-compatible provider only when named. Bedrock itself is a local endpoint here
(AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and its credentials come from the real botocore chain."""

import json
import os

import pytest

from testsupport.imds import MetadataService
from testsupport.llm_server import completion
from testsupport.triage_answers import OPENAI_TEST_KEY
from triage_app.models import AssistedAttempt

URL = "/api/triage/query"
STATUS = "/api/triage/assisted/provider/status"
FALLBACK = "Assisted mode failed (bedrock: not_configured); the deterministic answer is returned."
NO_CREDENTIALS = (
    "AWS credentials (none found in the environment, shared config files, SSO, web identity, "
    "container or EC2 instance role)"
)


@pytest.fixture
def warehouse(duckdb_warehouse):
    """Provider selection does not depend on the warehouse: DuckDB only here."""
    return duckdb_warehouse


@pytest.fixture
def ask(client_for, operator):
    client = client_for(operator)

    def post(**body) -> dict:
        response = client.post(URL, {"run_id": "r-100", "mode": "assisted", **body}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    post.client = client
    return post


@pytest.fixture
def bedrock_endpoint(chat_server, monkeypatch):
    """botocore's bedrock-runtime client sends InvokeModel to the local server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", chat_server.url)
    return chat_server


def cited_answer(facts: list[dict]) -> dict:
    ids = {f["field"]: f["id"] for f in facts}
    return {
        "summary": {"text": "A revoked grant broke orders_daily.", "fact_ids": [ids["error.code"]]},
        "likely_cause": {
            "text": "The dbt role lost SELECT on RAW.SHOP.ORDERS.",
            "fact_ids": [ids["error.message"]],
        },
        "next_actions": [{"text": "Re-grant SELECT and re-run r-100.", "fact_ids": [ids["run.run_id"]]}],
    }


def anthropic_reply(request: dict):
    """Bedrock's InvokeModel answer for an Anthropic messages request."""
    facts = json.loads(request["messages"][0]["content"][0]["text"])["untrusted"]["facts"]
    message = {
        "id": "msg_bdrk_01",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": json.dumps(cited_answer(facts))}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 900, "output_tokens": 120},
    }
    return 200, message


def openai_reply(request: dict):
    facts = json.loads(request["messages"][1]["content"])["untrusted"]["facts"]
    return 200, completion(json.dumps(cited_answer(facts)))


def test_the_default_provider_without_aws_credentials_answers_with_the_rules_and_says_so(
    ask, orders_incident
):
    body = ask()
    assert (body["requested_mode"], body["mode"], body["degraded"]) == (
        "assisted",
        "deterministic_rules_v1",
        True,
    )
    assert body["warnings"] == [FALLBACK]
    assert body["likely_cause"].startswith("The pipeline's identity lacks")
    assisted = body["evidence"]["assisted"]
    assert (assisted["provider"], assisted["error_class"], assisted["tries"]) == (
        "bedrock",
        "not_configured",
        0,
    )
    assert assisted["message"] == f"Provider bedrock is not configured; missing: {NO_CREDENTIALS}."
    attempt = AssistedAttempt.objects.get()
    assert (attempt.provider, attempt.status, attempt.error_class) == (
        "bedrock",
        "fallback",
        "not_configured",
    )

    status = ask.client.get(STATUS).json()
    assert (status["requested_provider"], status["selected_provider"], status["configured"]) == (
        "bedrock",
        "bedrock",
        False,
    )
    assert status["providers"]["bedrock"] == {
        "configured": False,
        "missing_settings": [NO_CREDENTIALS],
        "model": "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "region": "ap-southeast-2",
    }


def test_without_credentials_the_metadata_service_is_asked_once_per_process(
    ask, orders_incident, monkeypatch
):
    """On a machine without an instance role every metadata probe is a wasted round trip (a second
    where nothing answers): the first answer asks, later answers do not."""
    with MetadataService() as imds:
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
        assert ask()["warnings"] == [FALLBACK]
        asked = list(imds.requests)
        assert ("PUT", "/latest/api/token") in asked
        assert ask()["warnings"] == [FALLBACK]
        assert ask.client.get(STATUS).json()["configured"] is False
        assert imds.requests == asked
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"


def test_the_default_provider_with_an_instance_role_asks_bedrock(
    ask, orders_incident, monkeypatch, bedrock_endpoint
):
    with MetadataService(role="controltower-apprunner", access_key_id="ASIAROLE0001") as imds:
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
        bedrock_endpoint.script(anthropic_reply)
        body = ask()
    assert (body["mode"], body["degraded"], body["warnings"]) == ("assisted_bedrock_v1", False, [])
    assert body["likely_cause"] == "The dbt role lost SELECT on RAW.SHOP.ORDERS."
    request = bedrock_endpoint.requests[0]
    assert request["path"] == "/model/global.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"
    assert "Credential=ASIAROLE0001/" in request["headers"]["authorization"]
    assert request["json"]["anthropic_version"] == "bedrock-2023-05-31"


@pytest.fixture
def azure_configured(settings, chat_server):
    settings.AZURE_OPENAI_ENDPOINT = chat_server.url
    settings.AZURE_OPENAI_API_KEY = "az-SECRET-456"
    settings.AZURE_OPENAI_DEPLOYMENT = "gpt-4o-triage"
    return chat_server


@pytest.fixture
def openai_configured(settings):
    """A complete OpenAI-compatible configuration, which `auto` never picks."""
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.OPENAI_MODEL = "local-llm"
    settings.OPENAI_API_KEY = OPENAI_TEST_KEY


def test_auto_uses_azure_openai_when_it_is_configured(
    ask, orders_incident, settings, azure_configured, openai_configured
):
    settings.ASSISTED_TRIAGE_PROVIDER = "auto"
    azure_configured.script(openai_reply)
    body = ask()
    assert (body["mode"], body["warnings"]) == ("assisted_azure_openai_v1", [])
    assert azure_configured.requests[0]["path"].startswith("/openai/deployments/gpt-4o-triage/")
    status = ask.client.get(STATUS).json()
    assert (status["requested_provider"], status["selected_provider"], status["configured"]) == (
        "auto",
        "azure_openai",
        True,
    )


def test_auto_without_azure_openai_uses_bedrock(ask, orders_incident, settings, openai_configured):
    settings.ASSISTED_TRIAGE_PROVIDER = "auto"
    settings.AZURE_OPENAI_ENDPOINT = "https://contoso.openai.azure.com"  # no key, no deployment
    body = ask()
    assert body["warnings"] == [FALLBACK]
    assert body["evidence"]["assisted"]["provider"] == "bedrock"
    assert ask.client.get(STATUS).json()["selected_provider"] == "bedrock"


def test_auto_without_azure_openai_and_with_aws_credentials_answers_through_bedrock(
    ask, orders_incident, settings, monkeypatch, bedrock_endpoint, openai_configured
):
    settings.ASSISTED_TRIAGE_PROVIDER = "auto"
    settings.BEDROCK_MODEL_ID = "apac.anthropic.claude-sonnet-4-20250514-v1:0"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVTEST0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-test-secret")
    bedrock_endpoint.script(anthropic_reply)
    body = ask()
    assert (body["mode"], body["evidence"]["assisted"]["model"]) == (
        "assisted_bedrock_v1",
        "apac.anthropic.claude-sonnet-4-20250514-v1:0",
    )
    assert "Credential=AKIAENVTEST0001/" in bedrock_endpoint.requests[0]["headers"]["authorization"]


def test_the_openai_compatible_provider_answers_when_named(ask, orders_incident, settings, openai_provider):
    openai_provider.script(openai_reply)
    assert ask()["mode"] == "assisted_openai_v1"
