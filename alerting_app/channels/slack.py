"""Slack incoming webhook (https://api.slack.com/messaging/webhooks): a JSON POST of `text` (the
notification's fallback) and Block Kit `blocks` (header, section with fields, actions, context).

Limits from Slack's Block Kit reference: header text 150 characters, section text 3000, at most
10 fields of 2000 each, 10 context elements. Configure with CT_ALERT_CHANNEL_<NAME>_URL (the
webhook URL is the secret: anyone holding it can post)."""

from alerting_app.channels import http, text
from alerting_app.channels.base import Message, Transition

ICONS = {
    Transition.TRIGGER: ":red_circle:",
    Transition.UPDATE: ":large_orange_circle:",
    Transition.ACKNOWLEDGE: ":eyes:",
    Transition.RESOLVE: ":white_check_mark:",
}


def escape(value: str) -> str:
    """Slack's mrkdwn control characters (its documented escaping)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(message: Message) -> dict:
    icon = ICONS.get(message.transition, "")
    fields = [
        {"type": "mrkdwn", "text": text.cut(f"*{label}*\n{escape(value)}", 2000)}
        for label, value in text.facts(message)[:10]
    ]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": text.cut(text.headline(message), 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text.cut(escape(message.summary), 3000)}},
        {"type": "section", "fields": fields},
    ]
    members = text.member_lines(message)
    if members:
        lines = "\n".join(f"• {escape(line)}" for line in members)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": text.cut(f"*Hits*\n{lines}", 3000)}}
        )
    if http.is_http_url(message.url):
        button = {"type": "button", "text": {"type": "plain_text", "text": "Open in Control Tower"}}
        blocks.append({"type": "actions", "elements": [{**button, "url": message.url}]})
    context = f"{icon} {text.state(message)} · `{escape(message.fingerprint)}`".strip()
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text.cut(context, 3000)}]})
    return {"text": f"{icon} {escape(text.headline(message))}".strip(), "blocks": blocks}


class SlackChannel(http.UrlWebhookChannel):
    kind = "slack"

    def render(self, message: Message) -> dict:
        return payload(message)
