"""A generic webhook: the message as JSON, signed so the receiver can tell it came from this
deployment and was not replayed.

Headers (documented in the README's "Alerting" section, with the receiver's verification code):
- `X-ControlTower-Timestamp`: Unix seconds when the request was signed;
- `X-ControlTower-Signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`;
- `X-ControlTower-Idempotency-Key`: the same for every retry of one notification;
- `X-ControlTower-Event`: the transition (trigger | update | acknowledge | resolve).

Configure with CT_ALERT_CHANNEL_<NAME>_URL and CT_ALERT_CHANNEL_<NAME>_SECRET (both secrets)."""

import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass, field

from alerting_app.channels import http
from alerting_app.channels.base import Delivery, Message

VERSION = 1
TIMESTAMP, SIGNATURE = "X-ControlTower-Timestamp", "X-ControlTower-Signature"
IDEMPOTENCY_KEY, EVENT = "X-ControlTower-Idempotency-Key", "X-ControlTower-Event"


def payload(message: Message) -> dict:
    """The channel-neutral form of a message (also what the recording channel shows)."""
    return {
        "version": VERSION,
        "event": message.transition,
        "fingerprint": message.fingerprint,
        "idempotency_key": message.idempotency_key,
        "kind": message.kind,
        "severity": message.severity,
        "title": message.title,
        "summary": message.summary,
        "source": message.source,
        "subject": message.subject,
        "team": message.team,
        "pipeline_id": message.pipeline_id,
        "url": message.url,
        "opened_at": message.opened_at.isoformat(),
        "last_seen_at": message.last_seen_at.isoformat(),
        "count": message.count,
        "members": [asdict(m) for m in message.members],
        "facts": dict(message.facts),
    }


def body(message: Message) -> bytes:
    return json.dumps(payload(message), separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, raw: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signed_headers(secret: str, message: Message, raw: bytes, now: float | None = None) -> dict:
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP: timestamp,
        SIGNATURE: signature(secret, timestamp, raw),
        IDEMPOTENCY_KEY: message.idempotency_key,
        EVENT: message.transition,
    }


@dataclass(frozen=True)
class WebhookChannel:
    name: str
    url: str = field(repr=False)
    secret: str = field(repr=False)
    kind: str = "webhook"

    VARIABLES = ("URL", "SECRET")
    REQUIRED = ("URL", "SECRET")

    @classmethod
    def from_config(cls, name: str, values: dict) -> "WebhookChannel":
        return cls(name=name, url=values["URL"], secret=values["SECRET"])

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": http.host(self.url)}

    def deliver(self, message: Message) -> Delivery:
        raw = body(message)
        headers = signed_headers(self.secret, message, raw)
        return http.post(
            self, self.url, body=raw, headers=headers, secrets=(self.secret,), payload=payload(message)
        )
