"""Assisted telemetry counters and the provider status endpoint (which never shows a key)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from testsupport.llm_server import completion, error
from triage_app import assisted_stats as assisted_telemetry
from triage_app.models import AssistedAttempt

from .test_assisted import good_answer

TELEMETRY = "/api/triage/assisted/telemetry"
STATUS = "/api/triage/assisted/provider/status"


@pytest.fixture
def warehouse(duckdb_warehouse):
    """Provider behaviour does not depend on the warehouse: DuckDB only here."""
    return duckdb_warehouse


def test_counters_move_with_each_assisted_answer(
    client_for, operator, orders_incident, openai_provider, settings
):
    client = client_for(operator)
    before = client.get(TELEMETRY).json()
    assert (before["total"], before["by_status"]) == (0, {"success": 0, "fallback": 0, "failed": 0})

    ask = {"run_id": "r-100", "mode": "assisted"}
    openai_provider.script(good_answer, (200, completion("not json")))
    assert client.post("/api/triage/query", ask, format="json").status_code == 200
    assert client.post("/api/triage/query", ask, format="json").status_code == 200
    settings.ASSISTED_FAILURE_POLICY = "strict"
    settings.ASSISTED_RETRY_MAX_ATTEMPTS = 2
    openai_provider.script(error(500, "down"), error(500, "down"))
    assert client.post("/api/triage/query", ask, format="json").status_code == 503

    after = client.get(TELEMETRY).json()
    assert after["total"] == 3
    assert after["by_status"] == {"success": 1, "fallback": 1, "failed": 1}
    assert after["by_provider"] == {"openai": 3}
    assert after["by_error_class"] == {"malformed_output": 1, "server_error": 1}
    assert after["tokens"] == {"input": 321 + 321, "output": 54 + 54}
    assert after["dropped_statements"] == 2
    assert [(r["status"], r["tries"]) for r in after["recent"]] == [
        ("failed", 2),
        ("fallback", 1),
        ("success", 1),
    ]
    assert after["recent"][2]["cited_statements"] == 4
    assert {r["run_id"] for r in after["recent"]} == {"r-100"}
    assert all(r["request_id"] for r in after["recent"])


@pytest.mark.django_db
def test_window_and_limit(client_for, viewer):
    old = AssistedAttempt.objects.create(provider="bedrock", status="success", latency_ms=900)
    AssistedAttempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    for latency in (100, 300):
        AssistedAttempt.objects.create(
            provider="openai", status="fallback", error_class="timeout", latency_ms=latency
        )
    client = client_for(viewer)
    week = client.get(TELEMETRY).json()
    assert (week["total"], week["by_provider"], week["latency_ms"]) == (
        2,
        {"openai": 2},
        {"avg": 200, "max": 300},
    )
    month = client.get(f"{TELEMETRY}?days=30&limit=1").json()
    assert (month["total"], len(month["recent"])) == (3, 1)
    bad = client.get(f"{TELEMETRY}?limit=0")
    assert (bad.status_code, bad.json()["error"]["details"]["parameter"]) == (400, "limit")


@pytest.mark.django_db
def test_summary_query_count_does_not_grow_with_attempts(django_assert_num_queries):
    for i in range(30):
        AssistedAttempt.objects.create(provider="openai", status="success", latency_ms=i, input_tokens=10)
    with django_assert_num_queries(5):
        body = assisted_telemetry.summary(days=7, limit=20)
    assert (body["total"], len(body["recent"]), body["tokens"]["input"]) == (30, 20, 300)


@pytest.mark.django_db
def test_telemetry_and_status_need_a_login(anon_client):
    assert anon_client.get(TELEMETRY).status_code == 401
    assert anon_client.get(STATUS).status_code == 401


@pytest.mark.django_db
def test_status_at_the_defaults_says_bedrock_lacks_credentials(client_for, viewer):
    body = client_for(viewer).get(STATUS).json()
    assert {
        k: body[k] for k in ("requested_provider", "selected_provider", "enabled", "configured", "mode")
    } == {
        "requested_provider": "bedrock",
        "selected_provider": "bedrock",
        "enabled": True,
        "configured": False,
        "mode": None,
    }
    assert (body["failure_policy"], body["retry"], body["timeout_s"]) == (
        "fallback",
        {"max_attempts": 4, "base_ms": 1},
        5.0,
    )
    assert body["providers"]["bedrock"] == {
        "configured": False,
        "missing_settings": [
            "AWS credentials (none found in the environment, shared config files, SSO, web identity, "
            "container or EC2 instance role)"
        ],
        "model": "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "region": "ap-southeast-2",
    }


@pytest.mark.django_db
def test_status_never_shows_keys(client_for, viewer, settings):
    settings.ASSISTED_TRIAGE_PROVIDER = "openai"
    settings.OPENAI_BASE_URL = "https://svc:pw-SECRET-789@llm.internal:8443/v1?api_key=qs-SECRET-000"
    settings.OPENAI_MODEL = "llama-3.1-70b-instruct"
    settings.OPENAI_API_KEY = "sk-SECRET-123"
    settings.AZURE_OPENAI_ENDPOINT = "https://contoso.openai.azure.com/"
    settings.AZURE_OPENAI_API_KEY = "az-SECRET-456"
    response = client_for(viewer).get(STATUS)
    text = response.content.decode()
    for secret in ("SECRET", "pw-", "sk-", "az-"):
        assert secret not in text
    body = json.loads(text)
    assert (body["selected_provider"], body["configured"], body["mode"]) == (
        "openai",
        True,
        "assisted_openai_v1",
    )
    assert body["providers"]["openai"] == {
        "configured": True,
        "missing_settings": [],
        "model": "llama-3.1-70b-instruct",
        "endpoint": "https://llm.internal:8443",
        "api_key_set": True,
    }
    assert body["providers"]["azure_openai"]["missing_settings"] == ["AZURE_OPENAI_DEPLOYMENT"]
    assert body["providers"]["azure_openai"]["api_key_set"] is True
    assert body["providers"]["azure_openai"]["endpoint"] == "https://contoso.openai.azure.com"
