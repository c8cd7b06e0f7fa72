"""Slack incoming webhook: Block Kit as Slack documents it, against a local receiver."""

from alerting_app.channels.base import Member, Transition
from alerting_app.channels.slack import SlackChannel
from alerting_app.tests.channels.conftest import assert_matches, make_message, text
from testsupport.webhook_receiver import Receiver

TEXT_OBJECT = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"enum": ["plain_text", "mrkdwn"]},
        "text": text(3000),
        "emoji": {"type": "boolean"},
    },
    "additionalProperties": False,
}
PLAIN = {**TEXT_OBJECT, "properties": {**TEXT_OBJECT["properties"], "type": {"const": "plain_text"}}}
BLOCK_KIT = {  # https://api.slack.com/reference/block-kit/blocks and .../composition-objects
    "type": "object",
    "required": ["text", "blocks"],
    "properties": {
        "text": text(40000),
        "blocks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "oneOf": [
                    {
                        "required": ["type", "text"],
                        "properties": {
                            "type": {"const": "header"},
                            "text": {**PLAIN, "properties": {**PLAIN["properties"], "text": text(150)}},
                        },
                        "additionalProperties": False,
                    },
                    {
                        "required": ["type"],
                        "anyOf": [{"required": ["text"]}, {"required": ["fields"]}],
                        "properties": {
                            "type": {"const": "section"},
                            "text": TEXT_OBJECT,
                            "fields": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 10,
                                "items": {
                                    **TEXT_OBJECT,
                                    "properties": {**TEXT_OBJECT["properties"], "text": text(2000)},
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                    {
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "actions"},
                            "elements": {
                                "type": "array",
                                "maxItems": 25,
                                "items": {
                                    "required": ["type", "text"],
                                    "properties": {
                                        "type": {"const": "button"},
                                        "text": {
                                            **PLAIN,
                                            "properties": {**PLAIN["properties"], "text": text(75)},
                                        },
                                        "url": {"type": "string", "maxLength": 3000, "pattern": "^https?://"},
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                    {
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "context"},
                            "elements": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 10,
                                "items": TEXT_OBJECT,
                            },
                        },
                        "additionalProperties": False,
                    },
                ]
            },
        },
    },
}


def blocks_of(body: dict, kind: str) -> list[dict]:
    return [b for b in body["blocks"] if b["type"] == kind]


def test_a_trigger_posts_block_kit_with_a_fallback_text_and_a_link_to_the_incident(message):
    with Receiver() as hook:
        delivery = SlackChannel("oncall-slack", hook.url).deliver(message)
    (post,) = hook.posts
    body = post["json"]
    assert post["path"] == "/hook" and post["headers"]["Content-Type"] == "application/json"
    assert_matches(BLOCK_KIT, body)
    assert blocks_of(body, "header")[0]["text"]["text"] == f"Triggered: {message.title}"
    assert "p2 orders_daily failed" in body["text"]
    fields = [f["text"] for f in blocks_of(body, "section")[1]["fields"]]
    assert "*Severity*\ncritical" in fields and "*Occurrences*\n3" in fields
    assert blocks_of(body, "actions")[0]["elements"][0]["url"] == message.url
    assert "aws:p2:failed_run" in blocks_of(body, "context")[0]["elements"][0]["text"]
    assert delivery.status_code == 200 and delivery.payload == body


def test_a_resolve_reads_as_resolved():
    with Receiver() as hook:
        SlackChannel("oncall-slack", hook.url).deliver(make_message(transition=Transition.RESOLVE))
    body = hook.bodies[0]
    assert blocks_of(body, "header")[0]["text"]["text"].startswith("Resolved: ")
    assert body["text"].startswith(":white_check_mark: Resolved: ")


def test_mrkdwn_control_characters_are_escaped_and_text_is_cut_to_slacks_limits():
    many = tuple(Member("failed_run", "aws", f"p{i}") for i in range(30))
    facts = {f"fact {i}": "v" * 3000 for i in range(15)}
    message = make_message(title="x" * 400, summary="<!channel> & " + "y" * 5000, members=many, facts=facts)
    with Receiver() as hook:
        SlackChannel("oncall-slack", hook.url).deliver(message)
    body = hook.bodies[0]
    assert_matches(BLOCK_KIT, body)
    summary = blocks_of(body, "section")[0]["text"]["text"]
    assert summary.startswith("&lt;!channel&gt; &amp; ") and len(summary) == 3000
    assert len(blocks_of(body, "header")[0]["text"]["text"]) == 150
    assert blocks_of(body, "section")[2]["text"]["text"].endswith("… and 20 more")


def test_no_button_without_an_incident_url():
    with Receiver() as hook:
        SlackChannel("oncall-slack", hook.url).deliver(make_message(url=""))
    assert_matches(BLOCK_KIT, hook.bodies[0])
    assert not blocks_of(hook.bodies[0], "actions")
