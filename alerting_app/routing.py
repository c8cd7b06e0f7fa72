"""Where an incident's notifications go: every enabled routing rule that matches adds its
channels; with no match, the pipeline's team is the route (a channel named like the team), else
CT_ALERT_DEFAULT_CHANNELS. A rule's quiet hours hold its notifications until they end. Smoke failures
and cost anomalies also go to the deprecated SMOKE_ALERT_WEBHOOK / CT_ALERT_WEBHOOK when set."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils.module_loading import import_string

from .channels import deprecated
from .channels.base import Channel
from .models import AlertIncident, RoutingRule


@dataclass(frozen=True)
class Route:
    channel: str
    not_before: datetime  # the end of the rule's quiet hours, or now


def channel(name: str) -> Channel | None:
    """The configured adapter named `name` (CT_ALERT_CHANNELS_PROVIDER), None when there is none."""
    return import_string(settings.CT_ALERT_CHANNELS_PROVIDER)(name)


def matches(rule: RoutingRule, incident: AlertIncident) -> bool:
    return all(
        not getattr(rule, f) or getattr(rule, f).casefold() == (getattr(incident, f) or "").casefold()
        for f in RoutingRule.MATCH_FIELDS
    )


def quiet_until(start: time | None, end: time | None, now: datetime) -> datetime | None:
    """When quiet hours [start, end) (UTC, may span midnight) hold `now`, the moment they end."""
    if start is None or end is None or start == end:
        return None
    t = now.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    ends = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > now else ends + timedelta(days=1)


def default_channels(incident: AlertIncident) -> list[str]:
    if incident.team and channel(incident.team) is not None:
        return [incident.team]
    return list(settings.CT_ALERT_DEFAULT_CHANNELS)


def routes(incident: AlertIncident, now: datetime) -> list[Route]:
    """One route per channel; a channel reached by a rule outside quiet hours goes now."""
    earliest: dict[str, datetime] = {}
    for rule in RoutingRule.objects.filter(enabled=True):
        if not matches(rule, incident):
            continue
        when = quiet_until(rule.quiet_start, rule.quiet_end, now) or now
        for name in rule.channels:
            earliest[name] = min(earliest.get(name, when), when)
    if not earliest:
        earliest = dict.fromkeys(default_channels(incident), now)
    heard_before = deprecated.route(incident.kind)  # SMOKE_ALERT_WEBHOOK / CT_ALERT_WEBHOOK
    if heard_before:
        earliest.setdefault(heard_before, now)
    return [Route(name, when) for name, when in sorted(earliest.items())]
