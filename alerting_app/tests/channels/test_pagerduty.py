"""PagerDuty Events API v2: trigger, acknowledge and resolve of one incident share its dedup_key."""

from alerting_app.channels.base import Transition
from alerting_app.channels.pagerduty import PagerDutyChannel
from alerting_app.tests.channels.conftest import assert_matches, make_message, text
from testsupport.webhook_receiver import Receiver

KEY = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12"
ACCEPTED = {"status": "success", "message": "Event processed", "dedup_key": "aws:p2:failed_run"}
COMMON = {"routing_key": text(32, 32), "dedup_key": text(255)}
EVENT = {  # https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (and resolve, acknowledge)
    "type": "object",
    "oneOf": [
        {
            "required": ["routing_key", "event_action", "dedup_key", "payload"],
            "properties": {
                **COMMON,
                "event_action": {"const": "trigger"},
                "payload": {
                    "required": ["summary", "source", "severity"],
                    "properties": {
                        "summary": text(1024),
                        "source": text(255),
                        "severity": {"enum": ["critical", "error", "warning", "info"]},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "component": {"type": "string"},
                        "group": {"type": "string"},
                        "class": {"type": "string"},
                        "custom_details": {"type": "object"},
                    },
                    "additionalProperties": False,
                },
                "client": {"type": "string"},
                "client_url": {"type": "string", "pattern": "^https?://"},
                "links": {
                    "type": "array",
                    "items": {
                        "required": ["href"],
                        "properties": {"href": {"type": "string"}, "text": {"type": "string"}},
                    },
                },
            },
            "additionalProperties": False,
        },
        {
            "required": ["routing_key", "event_action", "dedup_key"],
            "properties": {**COMMON, "event_action": {"enum": ["acknowledge", "resolve"]}},
            "additionalProperties": False,
        },
    ],
}


def test_trigger_acknowledge_and_resolve_reach_one_pagerduty_alert_by_dedup_key():
    with Receiver(status=202, reply=ACCEPTED) as pd:
        channel = PagerDutyChannel("data-pd", KEY, url=f"{pd.base}/v2/enqueue")
        for transition in (Transition.TRIGGER, Transition.ACKNOWLEDGE, Transition.RESOLVE):
            delivery = channel.deliver(make_message(transition=transition))
            assert delivery.status_code == 202 and "Event processed" in delivery.detail
    for body in pd.bodies:
        assert_matches(EVENT, body)
    assert [p["path"] for p in pd.posts] == ["/v2/enqueue"] * 3
    assert [b["event_action"] for b in pd.bodies] == ["trigger", "acknowledge", "resolve"]
    assert {b["dedup_key"] for b in pd.bodies} == {"aws:p2:failed_run"}
    assert {b["routing_key"] for b in pd.bodies} == {KEY}


def test_a_trigger_carries_what_the_responder_needs(message):
    with Receiver(status=202, reply=ACCEPTED) as pd:
        PagerDutyChannel("data-pd", KEY, url=f"{pd.base}/v2/enqueue").deliver(message)
    event = pd.bodies[0]
    assert event["payload"]["summary"] == message.title
    assert (event["payload"]["severity"], event["payload"]["source"]) == ("critical", "aws")
    assert (event["payload"]["component"], event["payload"]["group"], event["payload"]["class"]) == (
        "p2",
        "data-eng",
        "failed_run",
    )
    assert event["payload"]["timestamp"] == "2026-12-04T07:12:00+00:00"
    assert event["payload"]["custom_details"]["Error code"] == "SNOWFLAKE_TIMEOUT"
    assert event["links"] == [{"href": message.url, "text": "Alert incident in Control Tower"}]


def test_an_update_retriggers_the_same_alert_and_limits_hold():
    fingerprint = "aws:" + "very/long/dataset/" * 20 + ":stale_dataset"
    messages = [
        make_message(
            transition=Transition.UPDATE, fingerprint=fingerprint, title="t" * 2000, severity="fatal"
        ),
        make_message(transition=Transition.RESOLVE, fingerprint=fingerprint),
    ]
    with Receiver(status=202, reply=ACCEPTED) as pd:
        for message in messages:
            PagerDutyChannel("data-pd", KEY, url=f"{pd.base}/v2/enqueue").deliver(message)
    update, resolve = pd.bodies
    assert_matches(EVENT, update)
    assert update["event_action"] == "trigger" and update["payload"]["severity"] == "error"
    assert len(update["payload"]["summary"]) == 1024
    assert update["dedup_key"] == resolve["dedup_key"] and len(update["dedup_key"]) <= 255


def test_the_routing_key_is_never_kept_on_the_delivery(message):
    with Receiver(status=202, reply=ACCEPTED) as pd:
        delivery = PagerDutyChannel("data-pd", KEY, url=f"{pd.base}/v2/enqueue").deliver(message)
    assert delivery.payload["routing_key"] == "[redacted]"
    assert KEY not in repr(delivery)
