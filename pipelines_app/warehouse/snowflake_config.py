"""Settings (the SNOWFLAKE dict) -> snowflake.connector.connect() keyword arguments.

SF_ACCOUNT_URL is honoured as given — scheme, host and port — so a private-link host or a local
Snowflake emulator works; SF_ACCOUNT_IDENTIFIER alone lets the connector build the public host."""

import ipaddress
import re
from urllib.parse import urlsplit

from .base import WarehouseUnavailable

PLAIN_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
DEFAULT_PORTS = {"https": 443, "http": 80}


def _bad(message: str, setting: str) -> WarehouseUnavailable:
    return WarehouseUnavailable(message, setting=setting, backend="snowflake")


def quote_ident(name: str) -> str:
    """An identifier for DDL/USE: plain names stay unquoted (Snowflake upper-cases them)."""
    return name if PLAIN_IDENT.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def parse_account_url(url: str) -> dict:
    """'https://xy12345.ap-southeast-2.privatelink.snowflakecomputing.com' ->
    {protocol, host, port, account}; the account is the host's first label ('local' for an IP
    address or a single-label host such as localhost)."""
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _bad(
            f"SF_ACCOUNT_URL must use https:// (or http:// for a local emulator), not {scheme}://.",
            "SF_ACCOUNT_URL",
        )
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise _bad("SF_ACCOUNT_URL has an invalid port.", "SF_ACCOUNT_URL") from None
    host = parts.hostname
    if not host:
        raise _bad("SF_ACCOUNT_URL has no host name.", "SF_ACCOUNT_URL")
    return {"protocol": scheme, "host": host, "port": port, "account": _account_from_host(host)}


def _account_from_host(host: str) -> str:
    try:
        ipaddress.ip_address(host)
        return "local"
    except ValueError:
        pass
    return host.split(".")[0] if "." in host else "local"


def connect_kwargs(config: dict, *, timeout_s: int) -> dict:
    """Validated connect() arguments, without the private key (the caller adds it)."""
    kwargs: dict = {
        "paramstyle": "qmark",
        "application": "ControlTower",
        "login_timeout": timeout_s,
        "network_timeout": timeout_s,
        "socket_timeout": timeout_s,
        "client_session_keep_alive": False,
    }
    if config.get("account_url"):
        kwargs.update(parse_account_url(config["account_url"]))
        if config.get("account"):
            kwargs["account"] = config["account"]
    elif config.get("account"):
        kwargs["account"] = config["account"].strip()
    else:
        raise _bad(
            "Snowflake is selected but no account is set: set SF_ACCOUNT_IDENTIFIER or SF_ACCOUNT_URL.",
            "SF_ACCOUNT_URL",
        )
    if not config.get("user"):
        raise _bad("Snowflake is selected but SF_USER is not set.", "SF_USER")
    kwargs["user"] = config["user"]
    if not config.get("private_key_pem_b64"):
        if not config.get("password"):
            raise _bad(
                "Snowflake has no credentials: "
                "set SF_PRIVATE_KEY_PEM_B64 (key pair, preferred) or SF_PASSWORD.",
                "SF_PRIVATE_KEY_PEM_B64",
            )
        kwargs["password"] = config["password"]
    for key in ("role", "warehouse", "database", "schema"):
        if config.get(key):
            kwargs[key] = config[key]
    return kwargs
