"""Opsgenie Alert API: create with alias = fingerprint, acknowledge and close by that alias."""

from urllib.parse import quote

from alerting_app.channels.base import Transition
from alerting_app.channels.opsgenie import OpsgenieChannel
from alerting_app.tests.channels.conftest import assert_matches, make_message, text
from testsupport.webhook_receiver import Receiver

API_KEY = "0psg3n1e-key-0000-1111-222233334444"
ACCEPTED = {
    "result": "Request will be processed",
    "took": 0.01,
    "requestId": "43a29c5c-3dbf-4fa4-9c26-f4f71023e120",
}
CREATE = {  # https://docs.opsgenie.com/docs/alert-api#create-alert
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": text(130),
        "alias": text(512),
        "description": text(15000),
        "priority": {"enum": ["P1", "P2", "P3", "P4", "P5"]},
        "tags": {"type": "array", "maxItems": 20, "items": text(50)},
        "details": {"type": "object", "additionalProperties": {"type": "string"}},
        "entity": text(512),
        "source": text(100),
    },
    "additionalProperties": False,
}
ACTION = {  # .../alert-api#close-alert and #acknowledge-alert
    "type": "object",
    "properties": {"source": text(100), "note": text(25000), "user": text(100)},
    "additionalProperties": False,
}


def test_create_acknowledge_and_close_act_on_one_alert_by_alias():
    with Receiver(status=202, reply=ACCEPTED) as og:
        channel = OpsgenieChannel("ops-genie", API_KEY, url=og.base)
        for transition in (Transition.TRIGGER, Transition.ACKNOWLEDGE, Transition.RESOLVE):
            assert channel.deliver(make_message(transition=transition)).status_code == 202
    create, ack, close = og.posts
    alias = quote("aws:p2:failed_run", safe="")
    assert create["path"] == "/v2/alerts" and create["json"]["alias"] == "aws:p2:failed_run"
    assert ack["path"] == f"/v2/alerts/{alias}/acknowledge?identifierType=alias"
    assert close["path"] == f"/v2/alerts/{alias}/close?identifierType=alias"
    assert_matches(CREATE, create["json"])
    assert_matches(ACTION, ack["json"])
    assert_matches(ACTION, close["json"])
    assert close["json"]["note"] == "Resolved in Control Tower: https://ct.example.com/ops/alerts/7"
    assert {p["headers"]["Authorization"] for p in og.posts} == {f"GenieKey {API_KEY}"}


def test_an_alert_carries_priority_tags_details_and_the_link(message):
    with Receiver(status=202, reply=ACCEPTED) as og:
        OpsgenieChannel("ops-genie", API_KEY, url=og.base).deliver(message)
    alert = og.bodies[0]
    assert (alert["priority"], alert["entity"], alert["source"]) == ("P1", "p2", "Control Tower")
    assert alert["tags"] == [
        "controltower",
        "source:aws",
        "kind:failed_run",
        "severity:critical",
        "team:data-eng",
    ]
    assert alert["details"]["fingerprint"] == "aws:p2:failed_run" and alert["details"]["url"] == message.url
    assert (
        message.summary in alert["description"]
        and "stale dataset: analytics.orders (aws)" in alert["description"]
    )


def test_limits_hold_for_long_text_and_many_facts():
    facts = {f"fact {i}": "v" * 500 for i in range(40)}
    message = make_message(title="m" * 500, summary="s" * 20000, facts=facts, severity="info", team="t" * 80)
    with Receiver(status=202, reply=ACCEPTED) as og:
        OpsgenieChannel("ops-genie", API_KEY, url=og.base).deliver(message)
    alert = og.bodies[0]
    assert_matches(CREATE, alert)
    assert alert["priority"] == "P5" and len(alert["message"]) == 130
    assert sum(len(k) + len(v) for k, v in alert["details"].items()) <= 8000
