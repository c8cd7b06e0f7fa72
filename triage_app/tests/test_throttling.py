"""Assisted triage has its own rate per person (CT_THROTTLE_ASSISTED_TRIAGE): each answer may cost
several provider calls and a telemetry row. Over a live server, a viewer asking past the rate gets
429 with Retry-After and the error envelope, and the provider is not called; another viewer, and
the same viewer's deterministic questions, are not affected."""

from datetime import timedelta

import pytest
import requests

from testsupport.personas import make_user
from testsupport.throttling import set_rates
from triage_app.models import AssistedAttempt

from .test_assisted import good_answer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def warehouse(duckdb_warehouse):
    return duckdb_warehouse


def ask(url: str, user, mode: str = "assisted") -> requests.Response:
    return requests.post(
        f"{url}/api/triage/query",
        json={"run_id": "r-100", "mode": mode, "user_prompt": "What broke?"},
        headers={"Authorization": f"Token {user.api_key}"},
        timeout=30,
    )


def test_a_viewer_asking_past_the_rate_is_refused_before_the_provider_is_called(
    live_server, settings, orders_incident, openai_provider, viewer, clock
):
    set_rates(settings, assisted_triage="3/min")
    openai_provider.script(*[good_answer] * 10)
    for _ in range(3):
        answer = ask(live_server.url, viewer)
        assert answer.status_code == 200 and answer.json()["mode"] == "assisted_openai_v1"
    calls, rows = len(openai_provider.requests), AssistedAttempt.objects.count()

    refused = ask(live_server.url, viewer)
    assert refused.status_code == 429
    error = refused.json()["error"]
    wait = error["details"]["retry_after"]
    assert (error["code"], error["details"]) == (
        "throttled",
        {"retry_after": wait, "scope": "assisted_triage"},
    )
    assert refused.headers["Retry-After"] == str(wait) and 1 <= wait <= 60
    assert f"try again in {wait} seconds" in error["message"]
    assert (len(openai_provider.requests), AssistedAttempt.objects.count()) == (calls, rows)

    assert ask(live_server.url, viewer, mode="deterministic").status_code == 200
    other = make_user("vic", "viewer")
    assert ask(live_server.url, other).status_code == 200

    clock.shift(timedelta(seconds=wait))
    assert ask(live_server.url, viewer).status_code == 200
