"""The channel that sends nothing: it answers with the webhook form of the message it would send,
so the Alerts page can show it. Always configured, as `recording`: the demo routes to it, and an
operator can try a routing rule on it before wiring a vendor."""

from dataclasses import dataclass

from alerting_app.channels import webhook
from alerting_app.channels.base import Delivery, Message

NAME = "recording"


@dataclass(frozen=True)
class RecordingChannel:
    name: str = NAME
    kind: str = "recording"

    VARIABLES = ()
    REQUIRED = ()

    @classmethod
    def from_config(cls, name: str, values: dict) -> "RecordingChannel":
        return cls(name=name)

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": "nowhere (recorded only)"}

    def deliver(self, message: Message) -> Delivery:
        return Delivery(status_code=None, detail="recorded, not sent", payload=webhook.payload(message))
