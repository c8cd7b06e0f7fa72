"""Configuration mistakes as Django system checks, each with an id and a fix a person can apply.

The kernel's own settings only: each app checks what it owns from its AppConfig.ready()
(pipelines_app/checks.py the warehouse, aggregate_app/checks.py the sources, triage_app/checks.py
assisted triage)."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register

from controltower.api.throttles import parse_rate


@register()
def check_secret_key(app_configs=None, **kwargs):
    if settings.PRODUCTION and not settings.SECRET_KEY_FROM_ENV:
        return [
            Error(
                "CT_ENV=production but SECRET_KEY is not set.",
                hint="Export a long random SECRET_KEY (or SECRET_KEY_FILE), the same for every instance.",
                id="ct.E003",
            )
        ]
    return []


@register()
def check_data_dir(app_configs=None, **kwargs):
    if not os.access(settings.CT_DATA_DIR, os.W_OK):
        return [
            Error(
                f"The data directory {settings.CT_DATA_DIR} is not writable.",
                hint="Set CT_DATA_DIR to a writable folder (it holds SQLite, DuckDB, the broker queue).",
                id="ct.E004",
            )
        ]
    return []


@register()
def check_public_read(app_configs=None, **kwargs):
    if settings.PRODUCTION and settings.CT_PUBLIC_READ:
        return [Warning("CT_PUBLIC_READ is on in production: anyone can read telemetry.", id="ct.W001")]
    return []


@register()
def check_throttle_rates(app_configs=None, **kwargs):
    errors = []
    for scope, rate in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).items():
        try:
            parse_rate(rate or "")
        except ValueError as exc:
            errors.append(
                Error(
                    f"The '{scope}' throttle rate: {exc}",
                    hint=f"Set CT_THROTTLE_{scope.upper()} to N/s, N/min, N/hour or N/day (empty: no limit).",
                    id="ct.E007",
                )
            )
    return errors
