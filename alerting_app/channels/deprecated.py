"""SMOKE_ALERT_WEBHOOK and CT_ALERT_WEBHOOK, the single webhooks of the notifier that came before
channels, still work: each set one is a Slack-style channel (`smoke-webhook`, `alert-webhook`)
that hears what it heard before, on top of the routing: smoke failures go to SMOKE_ALERT_WEBHOOK
(else CT_ALERT_WEBHOOK), cost anomalies to CT_ALERT_WEBHOOK (else SMOKE_ALERT_WEBHOOK). A system
check warning (ct.W030) says how to declare the channel instead."""

from django.conf import settings

from alerting_app.channels.slack import SlackChannel

SETTINGS = {"smoke-webhook": "SMOKE_ALERT_WEBHOOK", "alert-webhook": "CT_ALERT_WEBHOOK"}
# An alert kind -> the deprecated channels that heard it, in order of preference.
HEARD = {
    "smoke_failure": ("smoke-webhook", "alert-webhook"),
    "cost_anomaly": ("alert-webhook", "smoke-webhook"),
}


def urls() -> dict[str, str]:
    """Channel name -> URL, for each deprecated setting that is set."""
    return {name: url for name, var in SETTINGS.items() if (url := getattr(settings, var, ""))}


def channels(taken) -> dict[str, SlackChannel]:
    """The deprecated webhooks as channels, unless CT_ALERT_CHANNELS already uses the name."""
    return {name: SlackChannel(name=name, url=url) for name, url in urls().items() if name not in taken}


def route(kind: str) -> str | None:
    """The deprecated channel an alert of `kind` goes to, if any is set."""
    configured = urls()
    return next((name for name in HEARD.get(kind, ()) if name in configured), None)


def warnings() -> list[tuple[str, str]]:
    """(message, hint) per deprecated setting in use; the URL is never named."""
    found = []
    for name, var in SETTINGS.items():
        if name in urls():
            kinds = " and ".join(k for k, names in HEARD.items() if name in names)
            upper = name.upper().replace("-", "_")
            found.append(
                (
                    f"{var} is deprecated: it is used as the alert channel {name!r} (Slack message "
                    f"format) for {kinds} alerts.",
                    f"Declare the channel instead: CT_ALERT_CHANNELS={name}=slack (or =webhook), "
                    f"CT_ALERT_CHANNEL_{upper}_URL=<the URL> (or _URL_FILE), and a routing rule for "
                    f"the kinds it should hear; then unset {var}.",
                )
            )
    return found
