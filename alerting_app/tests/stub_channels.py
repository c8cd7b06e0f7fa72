"""Channels for tests, looked up through CT_ALERT_CHANNELS_PROVIDER = "alerting_app.tests.stub_channels.get":
`memory` keeps messages in a list; `hook` POSTs the message as JSON to CT_TEST_ALERT_HOOK (a local
receiver) and turns a non-2xx answer into a DeliveryError, as a vendor adapter does."""

import dataclasses
import json
import os

import requests

from alerting_app.channels.base import Delivery, DeliveryError, Message

SENT: list[Message] = []


class Memory:
    name = kind = "memory"

    def deliver(self, message: Message) -> Delivery:
        SENT.append(message)
        return Delivery(status_code=200, payload={"title": message.title})


class Hook:
    kind = "webhook"

    def __init__(self, name: str):
        self.name = name

    def deliver(self, message: Message) -> Delivery:
        body = json.loads(json.dumps(dataclasses.asdict(message), default=str))
        try:
            resp = requests.post(
                os.environ["CT_TEST_ALERT_HOOK"],
                json=body,
                timeout=10,
                headers={"Idempotency-Key": message.idempotency_key, "X-Worker-Pid": str(os.getpid())},
            )
        except requests.RequestException as exc:
            raise DeliveryError(type(exc).__name__) from exc
        if resp.status_code >= 300:
            raise DeliveryError(
                f"HTTP {resp.status_code}",
                status_code=resp.status_code,
                retryable=resp.status_code >= 500 or resp.status_code == 429,
            )
        return Delivery(status_code=resp.status_code, payload={"title": message.title})


def get(name: str):
    if name == "memory":
        return Memory()
    if name.startswith("hook") and os.environ.get("CT_TEST_ALERT_HOOK"):
        return Hook(name)
    return None
