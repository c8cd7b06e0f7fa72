"""POST /api/aggregate/alerts/evaluate: a source's nudge token or an operator queues an evaluation
at once; a storm of nudges queues one or two, not one each; anyone else is refused."""

import pytest
from django.core.cache import cache

from alerting_app import tasks

pytestmark = pytest.mark.django_db
URL = "/api/aggregate/alerts/evaluate"
TOKEN = "nudge-token-for-tests-0123456789"


@pytest.fixture(autouse=True)
def _control(control_tier, settings):
    settings.CT_ALERT_NUDGE_TOKEN = TOKEN
    settings.CT_ALERT_NUDGE_DEBOUNCE_S = 60
    cache.clear()


@pytest.fixture
def queued(monkeypatch):
    """Evaluations handed to the broker: (countdown) per call."""
    calls = []
    monkeypatch.setattr(tasks.evaluate, "apply_async", lambda countdown=None, **kw: calls.append(countdown))
    return calls


def test_a_source_with_the_nudge_token_queues_an_evaluation(anon_client, queued):
    answer = anon_client.post(URL, HTTP_X_ALERT_NUDGE_TOKEN=TOKEN)
    assert answer.status_code == 202 and answer.json()["outcome"] == "queued"
    assert queued == [None]


def test_an_operator_may_ask_too(client_for, operator, queued):
    assert client_for(operator).post(URL).status_code == 202
    assert queued == [None]


def test_a_viewer_a_wrong_token_and_anonymous_are_refused(client_for, viewer, anon_client, queued):
    assert client_for(viewer).post(URL).status_code == 403
    assert anon_client.post(URL, HTTP_X_ALERT_NUDGE_TOKEN="not-the-token").status_code == 401
    assert anon_client.post(URL).status_code == 401
    assert queued == []


def test_no_token_configured_lets_no_token_in(anon_client, settings, queued):
    settings.CT_ALERT_NUDGE_TOKEN = ""
    assert anon_client.post(URL, HTTP_X_ALERT_NUDGE_TOKEN="").status_code == 401
    assert queued == []


def test_a_storm_of_nudges_queues_one_now_and_one_after_the_window(anon_client, queued):
    outcomes = [anon_client.post(URL, HTTP_X_ALERT_NUDGE_TOKEN=TOKEN).json()["outcome"] for _ in range(30)]
    assert outcomes[:2] == ["queued", "queued_after_window"]
    assert set(outcomes[2:]) == {"already_queued"}
    assert queued == [None, 60]
