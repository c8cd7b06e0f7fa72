"""Configuration mistakes as Django system checks, each with an id and a fix a person can apply."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register

from aggregate_app.sources import parse as parse_sources
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
def check_warehouse(app_configs=None, **kwargs):
    backend = settings.CT_WAREHOUSE_BACKEND
    if backend not in ("duckdb", "snowflake", "none"):
        return [
            Error(
                f"CT_WAREHOUSE_BACKEND={backend!r} is not a backend.",
                hint="Use duckdb, snowflake or none.",
                id="ct.E005",
            )
        ]
    if backend != "snowflake":
        return []
    sf = settings.SNOWFLAKE
    problems = []
    if not (sf["account"] or sf["account_url"]):
        problems.append(("no account", "Set SF_ACCOUNT_IDENTIFIER or SF_ACCOUNT_URL."))
    if not sf["user"]:
        problems.append(("no user", "Set SF_USER."))
    if not (sf["private_key_pem_b64"] or sf["password"]):
        problems.append(("no credentials", "Set SF_PRIVATE_KEY_PEM_B64 (preferred) or SF_PASSWORD."))
    return [
        Error(f"Snowflake backend selected but {what}.", hint=hint, id="ct.E006") for what, hint in problems
    ]


@register()
def check_sources(app_configs=None, **kwargs):
    """CT_SOURCES is `name=url,name=url` (or AWS_BASE/AZURE_BASE): parsed by the one parser."""
    parsed = parse_sources(settings.CT_SOURCES, settings.AWS_BASE, settings.AZURE_BASE)
    errors = [(Warning if p.warning else Error)(p.message, hint=p.hint, id=p.id) for p in parsed.problems]
    if settings.PRODUCTION and settings.CT_PUBLIC_READ:
        errors.append(Warning("CT_PUBLIC_READ is on in production: anyone can read telemetry.", id="ct.W001"))
    return errors


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
