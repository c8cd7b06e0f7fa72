"""The configured channels, by the operator's name.

`CT_ALERT_CHANNELS` lists `name=kind` pairs (`oncall-slack=slack,data-pd=pagerduty,ops-mail=email`);
each channel reads `CT_ALERT_CHANNEL_<NAME>_<VARIABLE>` (name upper-cased, `-` as `_`), or the file
that `CT_ALERT_CHANNEL_<NAME>_<VARIABLE>_FILE` names (container secrets). The variables per kind
are the adapter's VARIABLES. The channel `recording` is always there, and the deprecated
SMOKE_ALERT_WEBHOOK / CT_ALERT_WEBHOOK add theirs (channels/deprecated.py). A misconfigured channel is
left out here and named by the system check (channels/checks.py), with the variable to set and
never its value."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.module_loading import import_string

from alerting_app.channels import deprecated, http
from alerting_app.channels.base import Channel
from alerting_app.channels.recording import NAME as RECORDING

KINDS = {
    "slack": "alerting_app.channels.slack.SlackChannel",
    "teams": "alerting_app.channels.teams.TeamsChannel",
    "email": "alerting_app.channels.email.EmailChannel",
    "pagerduty": "alerting_app.channels.pagerduty.PagerDutyChannel",
    "opsgenie": "alerting_app.channels.opsgenie.OpsgenieChannel",
    "webhook": "alerting_app.channels.webhook.WebhookChannel",
    "recording": "alerting_app.channels.recording.RecordingChannel",
}
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Problem:
    """A configuration mistake, reported by the system check with this id."""

    id: str
    message: str
    hint: str


def variable(name: str, suffix: str) -> str:
    return f"CT_ALERT_CHANNEL_{name.upper().replace('-', '_')}_{suffix}"


def read(var: str) -> str:
    """VAR's value, else the content of the file VAR_FILE names; OSError when that file is unreadable."""
    if os.environ.get(var, "").strip():
        return os.environ[var].strip()
    path = os.environ.get(f"{var}_FILE", "").strip()
    return Path(path).read_text().strip() if path else ""


def entries(raw: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(name, kind) pairs from CT_ALERT_CHANNELS, plus the mistakes in it."""
    pairs, problems = [], []
    for position, item in enumerate(p.strip() for p in raw.split(",")):
        if not item:
            continue
        name, _, kind = (s.strip().lower() for s in item.partition("="))
        why = _entry_problem(name, kind, [n for n, _ in pairs])
        if why:  # the entry itself is not echoed: a URL pasted here by mistake would be a secret
            message = f"CT_ALERT_CHANNELS entry {position + 1}: {why}."
            problems.append(Problem("ct.E030", message, _ENTRY_HINT))
        elif name != RECORDING:
            pairs.append((name, kind))
    return pairs, problems


_ENTRY_HINT = f"Write name=kind, e.g. oncall-slack=slack; kinds: {', '.join(KINDS)}."


def _entry_problem(name: str, kind: str, seen: list[str]) -> str:
    if not NAME.match(name):
        return "a name is lower-case letters, digits, - and _, starting with a letter"
    if "/" in kind or ":" in kind:
        return f"channel {name!r} has a URL where its kind belongs (URLs go in {variable(name, 'URL')})"
    if kind not in KINDS:
        return f"channel {name!r} has an unknown kind {kind[:20]!r}"
    if name in seen:
        return f"the name {name!r} is used twice"
    if name == RECORDING and kind != "recording":
        return "'recording' is the built-in recording channel's name"
    return ""


def build(name: str, kind: str) -> tuple[Channel | None, list[Problem]]:
    """The channel, or None and why not (each missing or invalid variable by name)."""
    cls = import_string(KINDS[kind])
    values, problems = {}, []
    for suffix in cls.VARIABLES:
        var = variable(name, suffix)
        try:
            values[suffix] = read(var)
        except OSError:
            problems.append(
                Problem("ct.E031", f"Alert channel {name!r}: {var}_FILE cannot be read.", _file_hint(var))
            )
            continue
        if suffix in cls.REQUIRED and not values[suffix]:
            problems.append(
                Problem("ct.E031", f"Alert channel {name!r} ({kind}) needs {var}.", _file_hint(var))
            )
    problems += [
        Problem("ct.E032", f"Alert channel {name!r}: {why}", hint) for why, hint in _invalid(name, values)
    ]
    return (None if problems else cls.from_config(name, values)), problems


def _file_hint(var: str) -> str:
    return f"Set {var}, or {var}_FILE to a readable file holding the value."


def _invalid(name: str, values: dict) -> list[tuple[str, str]]:
    found = []
    if values.get("URL") and not http.is_http_url(values["URL"]):
        found.append(
            (f"{variable(name, 'URL')} is not an http(s) URL.", "Give the full URL the vendor shows.")
        )
    for position, address in enumerate(a.strip() for a in values.get("TO", "").split(",") if a.strip()):
        try:
            validate_email(address)
        except ValidationError:
            found.append(
                (
                    f"address {position + 1} in {variable(name, 'TO')} is not valid.",
                    "Separate addresses with commas.",
                )
            )
    return found


def _all() -> tuple[dict[str, Channel], list[Problem]]:
    pairs, problems = entries(settings.CT_ALERT_CHANNELS)
    channels: dict[str, Channel] = {RECORDING: import_string(KINDS["recording"])()}
    for name, kind in pairs:
        channel, found = build(name, kind)
        problems += found
        if channel is not None:
            channels[name] = channel
    channels.update(deprecated.channels(taken={name for name, _ in pairs}))
    return channels, problems


def configured() -> dict[str, Channel]:
    """Every usable channel by name, in configuration order after `recording`."""
    return _all()[0]


def problems() -> list[Problem]:
    return _all()[1]


def get(name: str) -> Channel | None:
    return configured().get((name or "").strip().lower())


def describe() -> list[dict]:
    """Kind, name and the receiver's host per channel: for diagnostics, never a secret."""
    return [channel.describe() for channel in configured().values()]
