"""One HTTP POST for every vendor adapter: a timeout, the answer classified for the outbox, and
nothing secret in what comes back.

A 2xx is delivered. A 5xx, 408, 425 or 429, a timeout or a refused connection may succeed later
(DeliveryError retryable=True); any other answer (400, 401, 403, 404, 410, a redirect) will not
until someone fixes the configuration (retryable=False). Errors name the receiver's host only: a
webhook URL's path is its secret, and requests' own exception text carries the whole URL, so
none of it is chained onto the DeliveryError."""

import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.conf import settings

from alerting_app.channels.base import Delivery, DeliveryError, Message

log = logging.getLogger(__name__)
RETRYABLE_4XX = frozenset({408, 425, 429})
SECRET_SEGMENT = 12  # a URL segment this long may be a token: scrubbed from the receiver's answer
SNIPPET = 200  # characters of the receiver's answer kept in Delivery.detail / DeliveryError.detail
USER_AGENT = "ControlTower-Alerts/1"


def host(url: str) -> str:
    """The receiver's host[:port], the only part of a URL ever shown."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of a URL that may be its secret: the whole, its path and query, and each long
    segment or value in them (Slack's and Teams' tokens, a signature parameter)."""
    parts = urlsplit(url)
    segments = re.split(r"[/?&=]", f"{parts.path}?{parts.query}")
    return (url, parts.path, parts.query, *(s for s in segments if len(s) >= SECRET_SEGMENT))


def redact(text: str, secrets) -> str:
    for value in sorted((v for v in secrets if v and v != "/"), key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    return text


def post(
    channel, url: str, *, body: bytes, headers: dict, secrets: tuple = (), payload: dict | None = None
) -> Delivery:
    """POST `body` to `url` for `channel` (its name and kind go to the log); the answer as a
    Delivery, or DeliveryError. `secrets` are scrubbed from anything the receiver says back."""
    timeout = settings.CT_ALERT_TIMEOUT_S
    error = None
    try:
        resp = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        error = DeliveryError(f"{host(url)} did not answer within {timeout:g}s", retryable=True)
    except requests.ConnectionError:
        error = DeliveryError(f"could not connect to {host(url)}", retryable=True)
    except requests.RequestException as exc:
        error = DeliveryError(f"{type(exc).__name__} sending to {host(url)}", retryable=True)
    if error is not None:  # raised outside the except block, so requests' text is not its context
        log.warning("alert channel %s (%s): %s", channel.name, channel.kind, error.detail)
        raise error
    said = redact(" ".join(resp.text.split()), (*url_secrets(url), *secrets))[:SNIPPET]
    code = resp.status_code
    if 200 <= code < 300:
        log.info("alert channel %s (%s): delivered, HTTP %s", channel.name, channel.kind, code)
        return Delivery(status_code=code, detail=f"HTTP {code} {said}".strip(), payload=payload)
    retryable = code >= 500 or code in RETRYABLE_4XX
    detail = f"HTTP {code} from {host(url)}" + (f": {said}" if said else "")
    log.warning("alert channel %s (%s): %s (retryable=%s)", channel.name, channel.kind, detail, retryable)
    raise DeliveryError(detail, retryable=retryable, status_code=code)


@dataclass(frozen=True)
class UrlWebhookChannel:
    """A channel whose whole configuration is one secret URL that takes a JSON POST (Slack's
    incoming webhooks, Teams' workflow webhooks). A subclass names its `kind` and `render`s the
    vendor's payload."""

    name: str
    url: str = field(repr=False)

    kind = ""
    VARIABLES = ("URL",)
    REQUIRED = ("URL",)

    @classmethod
    def from_config(cls, name: str, values: dict):
        return cls(name=name, url=values["URL"])

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "target": host(self.url)}

    def render(self, message: Message) -> dict:
        raise NotImplementedError

    def deliver(self, message: Message) -> Delivery:
        body = self.render(message)
        return post(self, self.url, body=json.dumps(body).encode(), headers={}, payload=body)
