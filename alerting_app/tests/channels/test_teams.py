"""Microsoft Teams Workflows webhook: a message carrying one Adaptive Card, as Teams documents it."""

from alerting_app.channels.base import Transition
from alerting_app.channels.teams import TeamsChannel
from alerting_app.tests.channels.conftest import assert_matches, make_message, text
from testsupport.webhook_receiver import Receiver

TEXT_BLOCK = {  # https://adaptivecards.io/explorer/TextBlock.html
    "required": ["type", "text"],
    "properties": {
        "type": {"const": "TextBlock"},
        "text": text(100000),
        "wrap": {"type": "boolean"},
        "weight": {"enum": ["Default", "Lighter", "Bolder"]},
        "size": {"enum": ["Default", "Small", "Medium", "Large", "ExtraLarge"]},
        "color": {"enum": ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]},
        "isSubtle": {"type": "boolean"},
    },
    "additionalProperties": False,
}
FACT_SET = {  # https://adaptivecards.io/explorer/FactSet.html
    "required": ["type", "facts"],
    "properties": {
        "type": {"const": "FactSet"},
        "facts": {
            "type": "array",
            "items": {
                "required": ["title", "value"],
                "properties": {"title": text(200), "value": text(5000)},
            },
        },
    },
    "additionalProperties": False,
}
TEAMS_MESSAGE = {  # learn.microsoft.com: send an Adaptive Card through a Workflows webhook
    "type": "object",
    "required": ["type", "attachments"],
    "properties": {
        "type": {"const": "message"},
        "attachments": {
            "type": "array",
            "minItems": 1,
            "items": {
                "required": ["contentType", "content"],
                "properties": {
                    "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                    "contentUrl": {"type": "null"},
                    "content": {
                        "required": ["type", "version", "body"],
                        "properties": {
                            "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                            "type": {"const": "AdaptiveCard"},
                            "version": {"type": "string", "pattern": r"^1\.([4-9]|[1-9]\d)$"},
                            "msteams": {"type": "object"},
                            "body": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"oneOf": [TEXT_BLOCK, FACT_SET]},
                            },
                            "actions": {
                                "type": "array",
                                "items": {
                                    "required": ["type", "url"],
                                    "properties": {
                                        "type": {"const": "Action.OpenUrl"},
                                        "title": text(100),
                                        "url": {"type": "string", "pattern": "^https?://"},
                                    },
                                },
                            },
                        },
                        "additionalProperties": False,
                    },
                },
            },
        },
    },
}


def card_of(body: dict) -> dict:
    return body["attachments"][0]["content"]


def test_a_trigger_posts_an_adaptive_card_with_facts_hits_and_a_link(message):
    with Receiver(status=202) as hook:
        delivery = TeamsChannel("ops-teams", hook.url).deliver(message)
    body = hook.bodies[0]
    assert_matches(TEAMS_MESSAGE, body)
    card = card_of(body)
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": f"Triggered: {message.title}",
        "weight": "Bolder",
        "size": "Medium",
        "color": "Attention",
        "wrap": True,
    }
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Source"] == "aws" and facts["Error code"] == "SNOWFLAKE_TIMEOUT"
    assert "- stale dataset: analytics.orders (aws)" in card["body"][4]["text"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Control Tower", "url": message.url}
    ]
    assert delivery.status_code == 202


def test_a_resolve_reads_as_resolved_in_green():
    with Receiver(status=202) as hook:
        TeamsChannel("ops-teams", hook.url).deliver(make_message(transition=Transition.RESOLVE, members=()))
    card = card_of(hook.bodies[0])
    assert_matches(TEAMS_MESSAGE, hook.bodies[0])
    assert card["body"][0]["text"].startswith("Resolved: ") and card["body"][0]["color"] == "Good"


def test_a_long_summary_is_cut_to_keep_the_card_under_teams_size_limit():
    with Receiver(status=202) as hook:
        TeamsChannel("ops-teams", hook.url).deliver(make_message(summary="s" * 50000))
    assert_matches(TEAMS_MESSAGE, hook.bodies[0])
    assert len(card_of(hook.bodies[0])["body"][1]["text"]) == 4000
    assert len(hook.posts[0]["raw"]) < 28 * 1024
