"""Warehouse configuration mistakes as system checks (ids ct.E005, ct.E006)."""

from django.conf import settings
from django.core.checks import Error, register


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
