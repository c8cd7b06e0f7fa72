"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): a JSON POST of a message with one Adaptive Card attachment (schema version 1.4, which
Teams renders). Office 365 connector MessageCards are retired, so only the Adaptive Card form is
sent. Configure with CT_ALERT_CHANNEL_<NAME>_URL (the workflow URL carries its signature: a secret)."""

from alerting_app.channels import http, text
from alerting_app.channels.base import Message, Transition

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


class TeamsChannel(http.UrlWebhookChannel):
    kind = "teams"

    def render(self, message: Message) -> dict:
        return payload(message)
