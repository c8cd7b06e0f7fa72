"""System checks of the operating settings: CT_METRICS_ALLOW and LOG_FORMAT."""

from django.conf import settings
from django.core.checks import Error, register

from .exposition import networks

LOG_FORMATS = ("plain", "json")


@register()
def check_metrics_allow(app_configs=None, **kwargs):
    try:
        networks(tuple(settings.CT_METRICS_ALLOW))
    except ValueError as exc:
        return [
            Error(
                f"CT_METRICS_ALLOW holds something that is not an address or network: {exc}.",
                hint="List CIDRs separated by commas, e.g. CT_METRICS_ALLOW=10.0.0.0/8,192.168.1.5.",
                id="ct.E040",
            )
        ]
    return []


@register()
def check_log_format(app_configs=None, **kwargs):
    if settings.LOG_FORMAT not in LOG_FORMATS:
        return [
            Error(
                f"LOG_FORMAT={settings.LOG_FORMAT!r} is neither plain nor json.",
                hint="Set LOG_FORMAT=json for one JSON object a log line, or leave it unset (plain).",
                id="ct.E041",
            )
        ]
    return []
