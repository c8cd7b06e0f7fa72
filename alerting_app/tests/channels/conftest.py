"""A message as the outbox hands it to a channel, and a valid-schema assertion for vendor bodies."""

from datetime import UTC, datetime

import jsonschema
import pytest

from alerting_app.channels.base import Member, Message, Transition
from alerting_app.channels.opsgenie import OpsgenieChannel
from alerting_app.channels.pagerduty import PagerDutyChannel
from alerting_app.channels.slack import SlackChannel
from alerting_app.channels.teams import TeamsChannel
from alerting_app.channels.webhook import WebhookChannel


def make_message(**overrides) -> Message:
    values = {
        "fingerprint": "aws:p2:failed_run",
        "transition": Transition.TRIGGER,
        "idempotency_key": "alert-7:trigger:oncall",
        "kind": "failed_run",
        "severity": "critical",
        "title": "p2 orders_daily failed: SNOWFLAKE_TIMEOUT <warehouse> & more",
        "summary": "The 06:00 run of orders_daily failed after 41 min. It feeds 2 assets, one critical.",
        "source": "aws",
        "subject": "p2",
        "url": "https://ct.example.com/ops/alerts/7",
        "opened_at": datetime(2026, 12, 4, 6, 41, tzinfo=UTC),
        "last_seen_at": datetime(2026, 12, 4, 7, 12, tzinfo=UTC),
        "count": 3,
        "team": "data-eng",
        "pipeline_id": "p2",
        "members": (
            Member("stale_dataset", "aws", "analytics.orders", dataset="analytics.orders"),
            Member("failed_run", "aws", "p7 revenue_model", pipeline_id="p7"),
        ),
        "facts": {"Error code": "SNOWFLAKE_TIMEOUT", "Runbook": "https://runbooks.example.com/p2"},
    }
    return Message(**(values | overrides))


@pytest.fixture
def message() -> Message:
    return make_message()


def assert_matches(schema: dict, body) -> None:
    """`body` satisfies `schema` (a JSON Schema written from the vendor's documentation)."""
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def text(max_length: int, min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


# Every channel that speaks HTTP, built against a local receiver's base URL with `secret` wherever
# that vendor keeps one (a webhook URL's path, a routing key, an API key, a signing secret).
HTTP_CHANNELS = {
    "slack": lambda base, secret: SlackChannel("oncall-slack", f"{base}/services/T0/B0/{secret}"),
    "teams": lambda base, secret: TeamsChannel("ops-teams", f"{base}/workflows/run?sig={secret}"),
    "pagerduty": lambda base, secret: PagerDutyChannel("data-pd", secret, url=f"{base}/v2/enqueue"),
    "opsgenie": lambda base, secret: OpsgenieChannel("ops-genie", secret, url=base),
    "webhook": lambda base, secret: WebhookChannel("ops-hook", f"{base}/hook/{secret}", secret),
}


@pytest.fixture(params=sorted(HTTP_CHANNELS))
def http_channel(request):
    """A factory (base URL, secret) -> channel, once per HTTP channel kind."""
    return HTTP_CHANNELS[request.param]
