"""The production backend: Snowflake through snowflake-connector-python (qmark binds).

One connection per thread, opened on first use and reopened after a connection-level failure.
Every configuration or connectivity problem becomes WarehouseUnavailable naming the setting to
check; secrets never appear in messages (they are redacted from driver text as well)."""

import base64
import binascii
import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import snowflake.connector
from cryptography.hazmat.primitives import serialization
from snowflake.connector import errors as sf_errors

from .base import Warehouse, WarehouseUnavailable, schema_statements, to_dicts
from .snowflake_config import connect_kwargs, quote_ident
from .timing import timed

log = logging.getLogger(__name__)

# errno -> the setting an operator should check
AUTH_ERRNOS = {390100: "SF_USER / SF_PASSWORD", 390144: "SF_PRIVATE_KEY_PEM_B64", 390101: "SF_USER"}
OBJECT_MISSING = 2003  # "Object does not exist or not authorized"
CANCELED = {604, 630}  # canceled by the client-side timeout / statement timeout reached


class SnowflakeWarehouse(Warehouse):
    name = "snowflake"

    def __init__(self, config: dict, *, timeout_s: int = 30):
        self.config = config
        self.timeout_s = int(timeout_s)
        self.database = config.get("database") or "BHP_PLATFORM_LAB"
        self.schema = config.get("schema") or "OBS"
        self._secrets = [s for s in (config.get("password"), config.get("private_key_pem_b64")) if s]
        self._kwargs: dict | None = None  # built lazily: a bad setting fails the request, not startup
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list = []

    # -- connections ---------------------------------------------------------------------------
    def _connect_kwargs(self) -> dict:
        if self._kwargs is None:
            kwargs = connect_kwargs(self.config, timeout_s=self.timeout_s)
            pem_b64 = self.config.get("private_key_pem_b64")
            if pem_b64:
                kwargs["private_key"] = _private_key_der(pem_b64)
            self._kwargs = kwargs
        return self._kwargs

    def _open_connection(self, *, use_schema: bool = True):
        kwargs = self._connect_kwargs()
        try:
            conn = snowflake.connector.connect(**kwargs)
        except sf_errors.Error as exc:
            raise self._unavailable(exc, during="connect") from exc
        with self._lock:
            self._open.append(conn)
        if use_schema:
            self._use_schema(conn)
        return conn

    def _use_schema(self, conn) -> None:
        try:
            conn.cursor().execute(f"USE SCHEMA {self._qualified_schema()}", timeout=self.timeout_s)
        except sf_errors.Error as exc:
            self._discard(conn)
            raise WarehouseUnavailable(
                f"Snowflake schema {self._qualified_schema()} is not usable ({self._clean(exc)}). "
                "Check SF_DATABASE / SF_SCHEMA / SF_ROLE, or run `manage.py warehouse_init`.",
                setting="SF_DATABASE",
                backend=self.name,
            ) from exc

    def _qualified_schema(self) -> str:
        return f"{quote_ident(self.database)}.{quote_ident(self.schema)}"

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.is_closed():
            conn = self._local.conn = self._open_connection()
        return conn

    def _discard(self, conn) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._lock:
            if conn in self._open:
                self._open.remove(conn)
        try:
            conn.close(retry=False)
        except Exception:  # closing a broken connection may fail again; nothing to do about it
            pass

    # -- statements ----------------------------------------------------------------------------
    def _run(self, action, *, retry: bool):
        """Run `action(cursor)` on this thread's connection; reopen it once after a connection
        failure when the statement is safe to repeat (reads)."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                with conn.cursor() as cur:
                    return action(cur)
            except (sf_errors.OperationalError, sf_errors.InterfaceError) as exc:
                self._discard(conn)
                if retry and attempt == 1:
                    log.info("snowflake: connection failed (%s), reconnecting", self._clean(exc))
                    continue
                raise self._unavailable(exc, during="query") from exc
            except sf_errors.ProgrammingError as exc:
                raise (self._statement_unavailable(exc) or exc) from exc

    def _statement_unavailable(self, exc: sf_errors.ProgrammingError) -> WarehouseUnavailable | None:
        """A statement error that is about the deployment, not the SQL: a missing schema or a timeout."""
        if exc.errno == OBJECT_MISSING:
            return WarehouseUnavailable(
                f"Snowflake object missing in {self._qualified_schema()}: {self._clean(exc)}. "
                "Run `manage.py warehouse_init` or check SF_ROLE grants.",
                setting="SF_SCHEMA",
                backend=self.name,
            )
        if exc.errno in CANCELED:
            return WarehouseUnavailable(
                f"Snowflake query did not finish within {self.timeout_s}s ({self._clean(exc)}). "
                "Check CT_WAREHOUSE_QUERY_TIMEOUT_S and the warehouse size (SF_WAREHOUSE).",
                setting="CT_WAREHOUSE_QUERY_TIMEOUT_S",
                backend=self.name,
            )
        return None

    @timed
    def fetch_all(self, sql: str, params: Sequence = ()) -> list[dict]:
        def action(cur):
            cur.execute(sql, list(params), timeout=self.timeout_s)
            return to_dicts([d.name for d in cur.description], cur.fetchall())

        return self._run(action, retry=True)

    @timed
    def execute(self, sql: str, params: Sequence = ()) -> None:
        self._run(lambda cur: cur.execute(sql, list(params), timeout=self.timeout_s), retry=False)

    @timed
    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = [[_array_bind(v) for v in r] for r in rows]
        if rows:
            self._run(lambda cur: cur.executemany(sql, rows, timeout=self.timeout_s), retry=False)

    def ping(self) -> None:
        self.fetch_all("SELECT 1 AS ok")

    def create_schema(self) -> None:
        """Create the database, the schema and the tables if missing (idempotent)."""
        conn = self._open_connection(use_schema=False)
        database = quote_ident(self.database)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {database}", timeout=self.timeout_s)
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {self._qualified_schema()}", timeout=self.timeout_s)
        except sf_errors.Error as exc:
            self._discard(conn)
            raise WarehouseUnavailable(
                f"Cannot create {self._qualified_schema()}: {self._clean(exc)}. Check SF_ROLE privileges.",
                setting="SF_ROLE",
                backend=self.name,
            ) from exc
        self._use_schema(conn)
        old = getattr(self._local, "conn", None)
        if old is not None and old is not conn:
            self._discard(old)
        self._local.conn = conn
        for statement in schema_statements():
            self.execute(statement)

    def existing_tables(self) -> set[str]:
        rows = self.fetch_all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [self.schema.upper()],
        )
        return {r["table_name"].upper() for r in rows}

    def describe(self) -> str:
        kw = connect_kwargs(self.config, timeout_s=self.timeout_s)
        where = (
            f"{kw.get('protocol', 'https')}://{kw['host']}:{kw.get('port', 443)}"
            if "host" in kw
            else kw["account"]
        )
        return f"snowflake {where} {self._qualified_schema()} as {kw.get('user') or '?'}"

    def close(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            try:
                conn.close(retry=False)
            except Exception:  # best effort at shutdown
                pass
        self._local = threading.local()

    # -- errors --------------------------------------------------------------------------------
    def _clean(self, exc: BaseException) -> str:
        """Driver text without secrets, one line."""
        raw = (getattr(exc, "raw_msg", None) or str(exc) or type(exc).__name__).strip()
        errno = getattr(exc, "errno", None)
        text = (f"{errno}: " if errno and errno > 0 else "") + (raw.splitlines()[0] if raw else "")
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:300]

    def _unavailable(self, exc: sf_errors.Error, *, during: str) -> WarehouseUnavailable:
        errno = getattr(exc, "errno", None)
        setting = AUTH_ERRNOS.get(errno)
        if setting:
            message = f"Snowflake refused the credentials ({self._clean(exc)}). Check {setting}."
        elif during == "connect":
            setting = "SF_ACCOUNT_URL" if self.config.get("account_url") else "SF_ACCOUNT_IDENTIFIER"
            message = (
                f"Cannot connect to Snowflake ({self._clean(exc)}). "
                f"Check {setting}, network access and CT_WAREHOUSE_QUERY_TIMEOUT_S={self.timeout_s}."
            )
        else:
            setting = "CT_WAREHOUSE_QUERY_TIMEOUT_S"
            message = f"Snowflake query failed on the connection ({self._clean(exc)}); it was reset."
        log.warning("snowflake unavailable: %s", message)
        return WarehouseUnavailable(message, setting=setting.split(" ")[0], backend=self.name)


def _array_bind(value):
    """Array binds type a column holding any NULL as TEXT, and the connector then sends datetimes as
    epoch nanoseconds, which only Snowflake itself parses back: send ISO text, which every
    Snowflake-protocol server casts to TIMESTAMP_NTZ / DATE."""
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return value


def _private_key_der(pem_b64: str) -> bytes:
    """SF_PRIVATE_KEY_PEM_B64 (base64 of an unencrypted PKCS#8/PKCS#1 PEM) -> DER PKCS#8 bytes."""
    try:
        pem = base64.b64decode("".join(pem_b64.split()), validate=True)
        key = serialization.load_pem_private_key(pem, password=None)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise WarehouseUnavailable(
            "SF_PRIVATE_KEY_PEM_B64 is not the base64 of an unencrypted PEM private key "
            f"({type(exc).__name__}). Encode it with `base64 -w0 rsa_key.p8`.",
            setting="SF_PRIVATE_KEY_PEM_B64",
            backend="snowflake",
        ) from None
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
