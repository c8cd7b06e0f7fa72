"""PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/overview/): one
POST per transition to /v2/enqueue with the integration's `routing_key`, `event_action`
(trigger | acknowledge | resolve) and `dedup_key` = the incident's fingerprint, so trigger,
acknowledge and resolve all land on the same PagerDuty alert. Only a trigger carries `payload`
(summary ≤ 1024 characters, source, severity, timestamp, component, group, class,
custom_details), `links` and `client` / `client_url`; an update is a repeated trigger, which
PagerDuty deduplicates onto the open alert.

Configure with CT_ALERT_CHANNEL_<NAME>_ROUTING_KEY (an "Events API v2" integration key: a secret);
CT_ALERT_CHANNEL_<NAME>_URL overrides the endpoint (e.g. events.eu.pagerduty.com)."""

import hashlib
import json
from dataclasses import dataclass, field

from alerting_app.channels import http, text
from alerting_app.channels.base import Delivery, Message, Transition

ENDPOINT = "https://events.pagerduty.com/v2/enqueue"
ACTIONS = {
    Transition.TRIGGER: "trigger",
    Transition.UPDATE: "trigger",
    Transition.ACKNOWLEDGE: "acknowledge",
    Transition.RESOLVE: "resolve",
}
DEDUP_KEY_MAX = 255
SUMMARY_MAX = 1024
CLIENT = "Control Tower"


def dedup_key(fingerprint: str) -> str:
    """The fingerprint itself; past PagerDuty's 255 characters, a stable digest of it."""
    if len(fingerprint) <= DEDUP_KEY_MAX:
        return fingerprint
    return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def event(message: Message) -> dict:
    """The event without its routing key (what is shown and stored)."""
    action = ACTIONS.get(message.transition, "trigger")
    body = {"event_action": action, "dedup_key": dedup_key(message.fingerprint)}
    if action != "trigger":
        return body
    details = {label: value for label, value in text.facts(message)}
    details |= {"fingerprint": message.fingerprint, "hits": text.member_lines(message)}
    body["payload"] = {
        "summary": text.cut(message.title, SUMMARY_MAX),
        "source": message.source,
        "severity": text.severity(message),
        "timestamp": message.last_seen_at.isoformat(),
        "component": message.pipeline_id or message.subject,
        "group": message.team or message.source,
        "class": message.kind,
        "custom_details": details,
    }
    body["client"] = CLIENT
    if http.is_http_url(message.url):
        body["client_url"] = message.url
        body["links"] = [{"href": message.url, "text": "Alert incident in Control Tower"}]
    return body


def payload(message: Message, routing_key: str = "[redacted]") -> dict:
    return {"routing_key": routing_key, **event(message)}


@dataclass(frozen=True)
class PagerDutyChannel:
    name: str
    routing_key: str = field(repr=False)
    url: str = ENDPOINT
    kind: str = "pagerduty"

    VARIABLES = ("ROUTING_KEY", "URL")
    REQUIRED = ("ROUTING_KEY",)

    @classmethod
    def from_config(cls, name: str, values: dict) -> "PagerDutyChannel":
        return cls(name=name, routing_key=values["ROUTING_KEY"], url=values.get("URL") or ENDPOINT)

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": http.host(self.url)}

    def deliver(self, message: Message) -> Delivery:
        body = json.dumps(payload(message, self.routing_key)).encode()
        shown = payload(message)  # the routing key is a secret: never stored on the Delivery
        return http.post(self, self.url, body=body, headers={}, secrets=(self.routing_key,), payload=shown)
