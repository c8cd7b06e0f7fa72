"""Alerts to a webhook: a JSON POST, in Slack's `{"text": ...}` shape when the URL is a Slack
incoming webhook. Smoke alerts go to SMOKE_ALERT_WEBHOOK (else CT_ALERT_WEBHOOK), others to
CT_ALERT_WEBHOOK (else SMOKE_ALERT_WEBHOOK).

Delivery is claimed per record with a conditional UPDATE (Healthchecks `sendalerts`), so two
workers never send the same alert, a retried job resends only what failed, and a claim left
behind by a dead worker is taken over after CLAIM_TIMEOUT."""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from aggregate_app.models import AlertState

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class Alert:
    event: str  # smoke_failed | smoke_recovered | cost_anomaly
    title: str
    text: str
    fields: dict = field(default_factory=dict)


def webhook_url(event: str) -> str:
    if event.startswith("smoke_"):
        return settings.SMOKE_ALERT_WEBHOOK or settings.CT_ALERT_WEBHOOK
    return settings.CT_ALERT_WEBHOOK or settings.SMOKE_ALERT_WEBHOOK


def is_slack(url: str) -> bool:
    return (urlsplit(url).hostname or "").endswith("hooks.slack.com")


def slack_payload(alert: Alert) -> dict:
    return {"text": f"*{alert.title}*\n{alert.text}"}


def json_payload(alert: Alert) -> dict:
    return {"event": alert.event, "title": alert.title, "text": alert.text, **alert.fields}


def payload(alert: Alert, url: str) -> dict:
    return slack_payload(alert) if is_slack(url) else json_payload(alert)


def post(alert: Alert) -> tuple[str, str]:
    """Send one alert: (AlertState, error text)."""
    url = webhook_url(alert.event)
    if not url:
        return AlertState.NO_WEBHOOK, ""
    try:
        resp = requests.post(url, json=payload(alert, url), timeout=settings.CT_ALERT_TIMEOUT_S)
    except requests.RequestException as exc:
        log.warning("alert %s not delivered: %s", alert.event, type(exc).__name__)
        return AlertState.FAILED, type(exc).__name__
    if resp.status_code >= 300:
        log.warning("alert %s refused: HTTP %s", alert.event, resp.status_code)
        return AlertState.FAILED, f"HTTP {resp.status_code}"
    return AlertState.SENT, ""


def claimable(now) -> Q:
    waiting = Q(alert_state__in=(AlertState.PENDING, AlertState.FAILED))
    abandoned = Q(alert_state=AlertState.SENDING, alert_claimed_at__lt=now - CLAIM_TIMEOUT)
    return (waiting | abandoned) & Q(alert_attempts__lt=MAX_ATTEMPTS)


def deliver(model, pk: int, build: Callable[[object], Alert]) -> str:
    """Claim record `pk`'s alert, send it, store the outcome; "" when another worker has it."""
    now = timezone.now()
    claimed = model.objects.filter(claimable(now), pk=pk).update(
        alert_state=AlertState.SENDING, alert_claimed_at=now, alert_attempts=F("alert_attempts") + 1
    )
    if not claimed:
        return ""
    state, error = post(build(model.objects.get(pk=pk)))
    sent_at = timezone.now() if state == AlertState.SENT else None
    model.objects.filter(pk=pk).update(alert_state=state, alert_error=error[:300], alert_sent_at=sent_at)
    return state


def deliver_pending(model, build: Callable[[object], Alert]) -> dict:
    """Send every claimable alert of `model`; counts by resulting state."""
    pending = model.objects.filter(claimable(timezone.now())).order_by("pk").values_list("pk", flat=True)
    states = Counter(deliver(model, pk, build) for pk in list(pending))
    states.pop("", None)
    return dict(states)
