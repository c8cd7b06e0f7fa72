"""Bedrock through botocore's Stubber (there is no local Bedrock endpoint): the Anthropic messages
request, the answer merged with citations kept, throttling retried, and the client's settings."""

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from triage_app import assisted
from triage_app.context import TriageRequest
from triage_app.models import AssistedAttempt
from triage_app.orchestrate import run_triage
from triage_app.providers import build
from triage_app.providers.bedrock import ANTHROPIC_VERSION, BedrockProvider

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture
def warehouse(duckdb_warehouse):
    """Provider behaviour does not depend on the warehouse: DuckDB only here."""
    return duckdb_warehouse


@pytest.fixture
def bedrock(settings):
    settings.ASSISTED_TRIAGE_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = MODEL
    client = boto3.client(
        "bedrock-runtime",
        region_name="ap-southeast-2",
        aws_access_key_id="AKIATEST",
        aws_secret_access_key="test",
    )
    sent = []
    client.meta.events.register(
        "before-parameter-build.bedrock-runtime.InvokeModel", lambda params, **kw: sent.append(params)
    )
    with Stubber(client) as stubber:
        yield client, stubber, sent
        stubber.assert_no_pending_responses()


def bedrock_reply(answer: dict) -> dict:
    data = json.dumps(
        {
            "id": "msg_bdrk_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-3-5-sonnet-20240620",
            "content": [{"type": "text", "text": json.dumps(answer)}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1200, "output_tokens": 180},
        }
    ).encode()
    return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}


def answer_for(facts: list[dict]) -> dict:
    ids = {f["field"]: f["id"] for f in facts}
    return {
        "summary": {"text": "A revoked grant broke orders_daily.", "fact_ids": [ids["error.code"]]},
        "likely_cause": {
            "text": "The dbt role lost SELECT on RAW.SHOP.ORDERS.",
            "fact_ids": [ids["error.message"]],
        },
        "next_actions": [{"text": "Re-grant SELECT and re-run r-100.", "fact_ids": [ids["run.run_id"]]}],
        "observations": [],
    }


EXPECTED = {"modelId": MODEL, "body": ANY, "contentType": "application/json", "accept": "application/json"}


def test_bedrock_success_path(bedrock, orders_incident):
    client, stubber, sent = bedrock
    ctx, deterministic = run_triage(TriageRequest(run_id="r-100", mode="deterministic"))
    stubber.add_response("invoke_model", bedrock_reply(answer_for(deterministic["facts_used"])), EXPECTED)

    body = assisted.enrich(deterministic, ctx, provider=BedrockProvider(client=client))

    assert body["mode"] == "assisted_bedrock_v1"
    assert body["likely_cause"] == "The dbt role lost SELECT on RAW.SHOP.ORDERS."
    assert body["next_actions"] == ["Re-grant SELECT and re-run r-100."]
    assert body["facts_used"] == deterministic["facts_used"]
    request = json.loads(sent[0]["body"])
    assert request["anthropic_version"] == ANTHROPIC_VERSION
    assert request["messages"][0]["role"] == "user"
    sent = json.loads(request["messages"][0]["content"][0]["text"])["untrusted"]
    assert sent["facts"] == deterministic["facts_used"]
    assert "fact_ids" in request["system"]
    attempt = AssistedAttempt.objects.get()
    assert (attempt.provider, attempt.status, attempt.model, attempt.input_tokens, attempt.output_tokens) == (
        "bedrock",
        "success",
        MODEL,
        1200,
        180,
    )


def test_bedrock_throttling_is_retried(bedrock, orders_incident):
    client, stubber, _ = bedrock
    ctx, deterministic = run_triage(TriageRequest(run_id="r-100"))
    stubber.add_client_error(
        "invoke_model", "ThrottlingException", "Too many requests", 429, expected_params=EXPECTED
    )
    stubber.add_response("invoke_model", bedrock_reply(answer_for(deterministic["facts_used"])), EXPECTED)
    body = assisted.enrich(deterministic, ctx, provider=BedrockProvider(client=client))
    assert (body["mode"], body["evidence"]["assisted"]["tries"]) == ("assisted_bedrock_v1", 2)


def test_bedrock_validation_error_is_not_retried(bedrock, orders_incident):
    client, stubber, _ = bedrock
    ctx, deterministic = run_triage(TriageRequest(run_id="r-100"))
    stubber.add_client_error("invoke_model", "ValidationException", "Malformed input request", 400)
    body = assisted.enrich(deterministic, ctx, provider=BedrockProvider(client=client))
    assert body["evidence"]["assisted"] | {"latency_ms": 0} == {
        "provider": "bedrock",
        "error_class": "bad_request",
        "tries": 1,
        "model": MODEL,
        "status": "fallback",
        "fallback_used": True,
        "latency_ms": 0,
        "message": "Bedrock answered ValidationException.",
    }


def test_registry_builds_a_bedrock_client_for_the_configured_region(settings):
    settings.BEDROCK_REGION = "us-west-2"
    settings.ASSISTED_TIMEOUT_S = 12.0
    client = build("bedrock").client
    assert client.meta.region_name == "us-west-2"
    assert client.meta.service_model.service_name == "bedrock-runtime"
    assert client.meta.config.read_timeout == 12.0
    assert client.meta.config.retries["total_max_attempts"] == 1
