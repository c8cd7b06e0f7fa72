"""The embedded backend: one DuckDB file, opened once per process, a cursor per thread.

DuckDB allows one writing process per file, so in embedded mode only the source API process
opens it; other processes (worker, control tier) reach telemetry through the API."""

import itertools
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot

from .base import Warehouse, WarehouseUnavailable, arrow_table
from .timing import timed

log = logging.getLogger(__name__)
# Errors that say the warehouse cannot serve now rather than anything about the statement (a
# write-write conflict between two transactions of this process included: retrying succeeds).
FILE_ERRORS = (
    duckdb.IOException,
    duckdb.InternalException,
    duckdb.ConnectionException,
    duckdb.InterruptException,
    duckdb.OutOfMemoryException,
    duckdb.TransactionException,
)
_arrow_names = itertools.count()
_DECIMAL = re.compile(r"DECIMAL\(\d+,\s*(\d+)\)")


@lru_cache(maxsize=512)
def to_duckdb(sql: str) -> str:
    """Transpile Snowflake-dialect SQL for DuckDB once per distinct text."""
    return sqlglot.transpile(sql, read="snowflake", write="duckdb")[0]


def _decimal_to(duck_type) -> type | None:
    """int for DECIMAL(p, 0), float for a scaled DECIMAL, None for any other type: as base.plain
    converts, decided once per column from the result's type instead of once per value."""
    match = _DECIMAL.fullmatch(str(duck_type))
    if match is None:
        return None
    return int if match.group(1) == "0" else float


def _converted(row: tuple, converters: dict[int, type]) -> list:
    values = list(row)
    for i, convert in converters.items():
        if values[i] is not None:
            values[i] = convert(values[i])
    return values


class DuckDBWarehouse(Warehouse):
    name = "duckdb"

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            with self._lock:
                if self._conn is None:
                    try:
                        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                        self._conn = duckdb.connect(self.path)
                    except (duckdb.Error, OSError) as exc:
                        raise WarehouseUnavailable(
                            f"Cannot open the DuckDB telemetry file {self.path}: {exc}. "
                            "Check CT_DUCKDB_PATH / CT_DATA_DIR and that no other process holds it.",
                            setting="CT_DUCKDB_PATH",
                            backend=self.name,
                        ) from exc
        return self._conn

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        if self.catch_up is not None:
            self.catch_up()
        conn = self._connection()
        cur = getattr(self._local, "cursor", None)
        if cur is None or getattr(self._local, "owner", None) is not conn:
            cur = conn.cursor()
            self._local.cursor, self._local.owner = cur, conn
        return cur

    def _unavailable(self, exc: duckdb.Error) -> WarehouseUnavailable | None:
        """The error as WarehouseUnavailable when it is about the file or a missing schema."""
        if isinstance(exc, FILE_ERRORS):
            return WarehouseUnavailable(
                f"DuckDB telemetry file {self.path} failed: {exc}",
                setting="CT_DUCKDB_PATH",
                backend=self.name,
            )
        if isinstance(exc, duckdb.CatalogException) and "does not exist" in str(exc):
            return WarehouseUnavailable(
                f"The telemetry schema is missing in {self.path} ({str(exc).splitlines()[0]}). "
                "Run `manage.py warehouse_init`.",
                setting="CT_DUCKDB_PATH",
                backend=self.name,
            )
        return None

    def _run(self, sql: str, params: Sequence):
        try:
            return self._cursor().execute(to_duckdb(sql), list(params))
        except duckdb.Error as exc:
            raise (self._unavailable(exc) or exc) from exc

    @timed
    def fetch_all(self, sql: str, params: Sequence = ()) -> list[dict]:
        cur = self._run(sql, params)
        names = [d[0].lower() for d in cur.description]
        rows = cur.fetchall()
        converters = {i: _decimal_to(d[1]) for i, d in enumerate(cur.description) if _decimal_to(d[1])}
        if not converters:
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [dict(zip(names, _converted(row, converters), strict=True)) for row in rows]

    @timed
    def execute(self, sql: str, params: Sequence = ()) -> None:
        self._run(sql, params)

    @timed
    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        try:
            self._cursor().executemany(to_duckdb(sql), [list(r) for r in rows])
        except duckdb.Error as exc:
            raise (self._unavailable(exc) or exc) from exc

    @timed
    def bulk_insert(self, table: str, batch: pa.Table) -> None:
        """Columnar append: DuckDB scans the Arrow table in place (no per-row binding)."""
        if not batch.num_rows:
            return
        view = f"ct_bulk_{next(_arrow_names)}"
        cols = ", ".join(batch.column_names)
        cur = self._cursor()
        try:
            cur.register(view, batch)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
        except duckdb.Error as exc:
            raise (self._unavailable(exc) or exc) from exc
        finally:
            cur.unregister(view)

    stages_in_place = True
    single_writer = True  # DuckDB allows one writing process per file

    def stage(self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> None:
        """The Arrow table of `rows`, registered as `name` on this thread's cursor: statements scan it
        in place (no DDL, no DELETE, no INSERT); registering again replaces it."""
        try:
            self._cursor().register(name, arrow_table(columns, rows))
        except duckdb.Error as exc:
            raise (self._unavailable(exc) or exc) from exc

    def describe(self) -> str:
        return f"duckdb file {self.path}"

    def close(self) -> None:
        if self.catch_up is not None:
            try:
                self.catch_up()
            except Exception as exc:  # kept as received: the next process to open the file applies them
                log.warning("closing %s with accepted events not applied: %s", self.path, exc)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
