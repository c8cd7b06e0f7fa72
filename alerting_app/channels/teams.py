"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): a JSON POST of a message with one Adaptive Card attachment (schema version 1.4, which
Teams renders). Office 365 connector MessageCards are retired, so only the Adaptive Card form is
sent. Configure with CT_ALERT_CHANNEL_<NAME>_URL (the workflow URL carries its signature: a secret)."""

import json
from dataclasses import dataclass, field

from alerting_app.channels import http, text
from alerting_app.channels.base import Delivery, Message, Transition

CARD_VERSION = "1.4"
SUMMARY_MAX = 4000  # Teams refuses messages past about 28 KB; members are already capped at 10 lines
COLOURS = {
    Transition.TRIGGER: "Attention",
    Transition.UPDATE: "Warning",
    Transition.ACKNOWLEDGE: "Accent",
    Transition.RESOLVE: "Good",
}


def card(message: Message) -> dict:
    body = [
        {
            "type": "TextBlock",
            "text": text.headline(message),
            "weight": "Bolder",
            "size": "Medium",
            "color": COLOURS.get(message.transition, "Default"),
            "wrap": True,
        },
        {"type": "TextBlock", "text": text.cut(message.summary, SUMMARY_MAX), "wrap": True},
        {
            "type": "FactSet",
            "facts": [{"title": label, "value": value} for label, value in text.facts(message)],
        },
    ]
    members = text.member_lines(message)
    if members:
        body.append({"type": "TextBlock", "text": "Hits", "weight": "Bolder", "wrap": True})
        body.append({"type": "TextBlock", "text": "\r".join(f"- {line}" for line in members), "wrap": True})
    body.append(
        {"type": "TextBlock", "text": message.fingerprint, "isSubtle": True, "size": "Small", "wrap": True}
    )
    content = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if http.is_http_url(message.url):
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in Control Tower", "url": message.url}
        ]
    return content


def payload(message: Message) -> dict:
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None}
    return {"type": "message", "attachments": [{**attachment, "content": card(message)}]}


@dataclass(frozen=True)
class TeamsChannel:
    name: str
    url: str = field(repr=False)
    kind: str = "teams"

    VARIABLES = ("URL",)
    REQUIRED = ("URL",)

    @classmethod
    def from_config(cls, name: str, values: dict) -> "TeamsChannel":
        return cls(name=name, url=values["URL"])

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": http.host(self.url)}

    def deliver(self, message: Message) -> Delivery:
        body = payload(message)
        return http.post(self, self.url, body=json.dumps(body).encode(), headers={}, payload=body)
