"""Opsgenie Alert API (https://docs.opsgenie.com/docs/alert-api): a trigger creates the alert
(POST /v2/alerts) with `alias` = the incident's fingerprint, so Opsgenie deduplicates repeats
onto it; acknowledge and resolve act on that alias (POST /v2/alerts/{alias}/acknowledge or
/close?identifierType=alias). Limits from the API: message 130 characters, alias 512,
description 15000, at most 20 tags of 50, details 8000 in all; priority P1 (critical) … P5.

Configure with CT_ALERT_CHANNEL_<NAME>_API_KEY (an API integration's key, sent as
`Authorization: GenieKey <key>`: a secret) and, for an EU account,
CT_ALERT_CHANNEL_<NAME>_URL=https://api.eu.opsgenie.com (default https://api.opsgenie.com)."""

import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import quote

from alerting_app.channels import http, text
from alerting_app.channels.base import Delivery, Message, Transition

BASE_URL = "https://api.opsgenie.com"
PRIORITIES = {"critical": "P1", "error": "P2", "warning": "P3", "info": "P5"}
MESSAGE_MAX, ALIAS_MAX, DESCRIPTION_MAX, DETAILS_MAX = 130, 512, 15000, 8000
TAGS_MAX, TAG_MAX = 20, 50
SOURCE = "Control Tower"


def alias(fingerprint: str) -> str:
    if len(fingerprint) <= ALIAS_MAX:
        return fingerprint
    return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def _details(message: Message) -> dict:
    """String values only, as the API wants, within its 8000 characters in all."""
    details, used = {}, 0
    rows = [*text.facts(message), ("fingerprint", message.fingerprint), ("url", message.url)]
    for label, value in rows:
        if value and used + len(label) + len(value) <= DETAILS_MAX:
            details[label] = value
            used += len(label) + len(value)
    return details


def _description(message: Message) -> str:
    hits = text.member_lines(message)
    parts = [message.summary, "Hits:\n" + "\n".join(hits) if hits else "", message.url]
    return text.cut("\n\n".join(p for p in parts if p), DESCRIPTION_MAX)


def create(message: Message) -> dict:
    tags = [
        "controltower",
        f"source:{message.source}",
        f"kind:{message.kind}",
        f"severity:{text.severity(message)}",
    ]
    tags += [f"team:{message.team}"] if message.team else []
    return {
        "message": text.cut(message.title, MESSAGE_MAX),
        "alias": alias(message.fingerprint),
        "description": _description(message),
        "priority": PRIORITIES[text.severity(message)],
        "tags": [text.cut(t, TAG_MAX) for t in tags][:TAGS_MAX],
        "details": _details(message),
        "entity": text.cut(message.subject, 512),
        "source": SOURCE,
    }


def request(message: Message) -> tuple[str, dict]:
    """The path (under the base URL) and body one transition sends."""
    if message.transition in (Transition.ACKNOWLEDGE, Transition.RESOLVE):
        verb = "acknowledge" if message.transition == Transition.ACKNOWLEDGE else "close"
        path = f"/v2/alerts/{quote(alias(message.fingerprint), safe='')}/{verb}?identifierType=alias"
        note = f"{text.state(message)} in Control Tower" + (f": {message.url}" if message.url else "")
        return path, {"source": SOURCE, "note": text.cut(note, 25000)}
    return "/v2/alerts", create(message)


def payload(message: Message) -> dict:
    path, body = request(message)
    return {"path": path, "body": body}


@dataclass(frozen=True)
class OpsgenieChannel:
    name: str
    api_key: str = field(repr=False)
    url: str = BASE_URL
    kind: str = "opsgenie"

    VARIABLES = ("API_KEY", "URL")
    REQUIRED = ("API_KEY",)

    @classmethod
    def from_config(cls, name: str, values: dict) -> "OpsgenieChannel":
        return cls(name=name, api_key=values["API_KEY"], url=(values.get("URL") or BASE_URL).rstrip("/"))

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": http.host(self.url)}

    def deliver(self, message: Message) -> Delivery:
        path, body = request(message)
        headers = {"Authorization": f"GenieKey {self.api_key}"}
        return http.post(
            self,
            self.url + path,
            body=json.dumps(body).encode(),
            headers=headers,
            secrets=(self.api_key,),
            payload={"path": path, "body": body},
        )
