"""The warehouse's data version: a token that changes whenever telemetry does, so the response cache
(controltower/response_cache.py) can reuse an answer until then.

It is a row of the warehouse (CT_DATA_VERSION), so every process that writes telemetry changes what
every other one reads. Writers bump it after they commit: ingest after each stored group (the
`events_stored` receiver below), the demo loader, `warehouse_init`, `refresh_run_state` and
`purge_lineage_events`. A bump writes a new random token, so a warehouse rebuilt from scratch never
repeats a version an older cache entry was filed under. Bumping after the commit is what keeps it
safe: an answer computed meanwhile is filed under the old version, which nobody asks for again.

Reading it per request:
- a shared cache (Redis): a token there instead, which every bump replaces (one cache read; the
  row is then not written: no warehouse round trip on an ingest);
- DuckDB: one process holds the file for its life (one writer per file), so every write to it
  happens in this process: the row is read once per opened warehouse, then followed in memory.
  Reading the one-row table costs ~0.25 ms a request (measured on the bench machine), a fifth of
  a cached answer's whole budget at 1,000 requests/s;
- Snowflake with a per-process cache: the row, on every request (correct; a round trip).
"""

import logging
import secrets
import threading
from contextlib import contextmanager

from django.utils import timezone

from controltower.response_cache import bump_shared, cache_is_shared, shared_version

from .warehouse import Warehouse, get_warehouse
from .warehouse.base import table_ddl

log = logging.getLogger(__name__)
NAME = "warehouse"
TABLE_DDL = table_ddl("CT_DATA_VERSION")
_lock = threading.Lock()
_followed: tuple[Warehouse, str] | None = None  # DuckDB: (the open warehouse, its version)
_stamped = threading.local()  # stamp(): (warehouse, version) written in this thread's transaction


def _read(wh: Warehouse) -> str:
    row = wh.fetch_one("SELECT MAX(version) AS version FROM CT_DATA_VERSION")
    return (row or {}).get("version") or ""


def current() -> str:
    if cache_is_shared():
        return shared_version(NAME)
    wh = get_warehouse()
    if wh.name != "duckdb":
        return _read(wh)
    global _followed
    followed = _followed
    if followed is None or followed[0] is not wh:
        with _lock:
            wh.execute(TABLE_DDL)  # a file from before the table: this process is its only writer
            version = _read(wh) or _write(wh)
            _followed = followed = (wh, version)
    return followed[1]


def _write(wh: Warehouse) -> str:
    version = secrets.token_hex(8)
    now = timezone.now().replace(tzinfo=None)
    wh.execute("UPDATE CT_DATA_VERSION SET version = ?, changed_at = ?", [version, now])
    if _read(wh) != version:  # no row yet (a warehouse created before this table had one)
        wh.execute("INSERT INTO CT_DATA_VERSION (version, changed_at) VALUES (?, ?)", [version, now])
    return version


def stamp(wh: Warehouse, row: bool = True) -> None:
    """Inside a writer's transaction, on DuckDB with a per-process cache: write the next version
    there, so it commits with the data instead of in a transaction of its own after it; the next
    bump() on this thread then only follows it. With row=False (ingest accepting events it applies
    moments later, ingest/applier.py) only that: the applier's transaction writes the version
    followed by then (record). Elsewhere (or before this process has made sure of the table and its
    row) nothing: bump() writes as usual."""
    followed = _followed
    if cache_is_shared() or followed is None or followed[0] is not wh:
        return
    version = secrets.token_hex(8)
    if row:
        _write_row(wh, version)
    _stamped.version = (wh, version)


def record(wh: Warehouse) -> None:
    """Inside a writer's transaction, on DuckDB with a per-process cache: write the version this
    process follows (moved in memory by stamp(row=False)) into the row."""
    followed = _followed
    if not cache_is_shared() and followed is not None and followed[0] is wh:
        _write_row(wh, followed[1])


def _write_row(wh: Warehouse, version: str) -> None:
    now = timezone.now().replace(tzinfo=None)
    wh.execute("UPDATE CT_DATA_VERSION SET version = ?, changed_at = ?", [version, now])


def bump(wh: Warehouse | None = None) -> None:
    """Telemetry changed (call after the commit). With a shared cache only its token is replaced (no
    warehouse round trip on an ingest); else the row (unless stamp() wrote it in the transaction
    just committed), and on DuckDB this process follows a fresh token even when the row could not
    be written."""
    global _followed
    if cache_is_shared():
        bump_shared(NAME)
        return
    wh = wh or get_warehouse()
    stamped, _stamped.version = getattr(_stamped, "version", None), None
    with _lock:
        if stamped is not None and stamped[0] is wh:
            _followed = stamped
            return
        try:
            version = _write(wh)
        except Exception:
            version = secrets.token_hex(8)
            raise
        finally:
            _followed = (wh, version) if wh.name == "duckdb" else None


@contextmanager
def bumped():
    """Bump after the block, whether it finished or not (a half-done load changed telemetry too)."""
    try:
        yield
    finally:
        try:
            bump()
        except Exception as exc:  # the block's own outcome (or error) is what the caller needs
            log.warning("data version not bumped: %s", exc)


def on_events_stored(sender, events, **kwargs) -> None:
    bump()
