"""What every warehouse backend offers, and the errors they raise."""

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from controltower.api.errors import ApiError

SCHEMA_SQL = Path(__file__).resolve().parent.parent / "sql" / "schema.sql"
INSERT_BATCH_BINDS = 50_000  # bind values per executemany batch: below Snowflake's stage-binding threshold
SMALL_STAGE = 16  # rows: below this one bound multi-row INSERT costs less than an Arrow hand-off
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP_NTZ": pa.timestamp("us"),
    "DATE": pa.date32(),
    "NUMBER(18, 0)": pa.int64(),
}


class WarehouseUnavailable(ApiError):
    """The warehouse cannot answer: 503 `database_unavailable`, naming what to check."""

    def __init__(self, message: str, *, setting: str | None = None, backend: str | None = None):
        details = {k: v for k, v in {"setting": setting, "backend": backend}.items() if v}
        super().__init__(503, "database_unavailable", message, details)


def schema_statements() -> list[str]:
    """The DDL in schema.sql, one statement each, comments stripped."""
    text = re.sub(r"--[^\n]*", "", SCHEMA_SQL.read_text())
    return [s.strip() for s in text.split(";") if s.strip()]


def schema_tables() -> list[str]:
    """Upper-case names of the tables schema.sql creates, in file order."""
    found = (re.search(r"CREATE TABLE IF NOT EXISTS\s+(\w+)", s, re.I) for s in schema_statements())
    return [m.group(1).upper() for m in found if m]


def table_ddl(table: str) -> str:
    """schema.sql's CREATE TABLE statement of `table`."""
    (ddl,) = (s for s in schema_statements() if re.match(rf"CREATE TABLE IF NOT EXISTS\s+{table}\b", s, re.I))
    return ddl


def arrow_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> pa.Table:
    """`rows` as an Arrow table of `columns` ((name, SQL type) pairs, types from ARROW_TYPES)."""
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    arrays = [pa.array(v, ARROW_TYPES[kind]) for v, (_, kind) in zip(values, columns, strict=True)]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def plain(value):
    """One Python type per SQL type on every backend: NUMBER(p,0) -> int, scaled NUMBER -> float.

    Both drivers return Decimal for fixed-point columns (DuckDB DECIMAL, Snowflake NUMBER(p,s));
    the API speaks JSON numbers, and money is rounded when rendered, so float is what callers want."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    return value


def to_dicts(names: Sequence[str], rows: Iterable[Sequence]) -> list[dict]:
    names = [n.lower() for n in names]
    return [dict(zip(names, map(plain, row), strict=True)) for row in rows]


class Warehouse:
    """A telemetry warehouse. SQL is Snowflake dialect with `?` bind parameters; rows come back as
    dicts with lower-case keys, whatever the backend's case conventions, and with plain Python
    values (int, float, str, bool, date, naive UTC datetime, None)."""

    name = "abstract"

    def fetch_all(self, sql: str, params: Sequence = ()) -> list[dict]:
        raise NotImplementedError

    def fetch_one(self, sql: str, params: Sequence = ()) -> dict | None:
        rows = self.fetch_all(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence = ()) -> None:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        raise NotImplementedError

    def bulk_insert(self, table: str, batch: pa.Table) -> None:
        """Append an Arrow table to `table` (columns matched by name). Backends with a faster path
        than batched executemany override this."""
        if not batch.num_rows:
            return
        cols = batch.column_names
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        step = max(1, INSERT_BATCH_BINDS // len(cols))
        for offset in range(0, batch.num_rows, step):
            part = batch.slice(offset, step).to_pydict()
            self.executemany(sql, list(zip(*(part[c] for c in cols), strict=True)))

    # True when this process is the only writer and writes under one lock (ingest's group commit):
    # what a writer read before its transaction still holds inside it.
    single_writer = False
    # Run before every statement when set (ingest/applier.py: applies the events accepted and not
    # yet applied, so that every read sees them). Only a single-writer warehouse calls it.
    catch_up: Callable[[], None] | None = None
    # True when stage() costs no statement, so staging beats binding values whatever the row count.
    stages_in_place = False

    def stage(self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> None:
        """Make `rows` the contents of scratch table `name` ((name, SQL type) `columns`) for this
        thread's next statements: here a temporary table of the connection, emptied and refilled
        (bound VALUES for a few rows, else bulk_insert). A stage keeps its rows until the next
        stage() of that name: statements must only read the stages their caller just filled."""
        self.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({', '.join(f'{n} {t}' for n, t in columns)})"
        )
        self.execute(f"DELETE FROM {name}")
        if not rows:
            return
        if len(rows) >= SMALL_STAGE:
            self.bulk_insert(name, arrow_table(columns, rows))
            return
        names = ", ".join(n for n, _ in columns)
        row = f"({', '.join('?' for _ in columns)})"
        self.execute(
            f"INSERT INTO {name} ({names}) VALUES {', '.join([row] * len(rows))}",
            [v for r in rows for v in r],
        )

    def ping(self) -> None:
        """Raise WarehouseUnavailable unless a trivial query answers."""
        self.fetch_all("SELECT 1 AS ok")

    def existing_tables(self) -> set[str]:
        """Upper-case names of the tables in the current schema."""
        rows = self.fetch_all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA()"
        )
        return {r["table_name"].upper() for r in rows}

    def create_schema(self) -> None:
        for statement in schema_statements():
            self.execute(statement)

    def describe(self) -> str:
        """Where this warehouse is, for operators (no secrets)."""
        return self.name

    def close(self) -> None:
        pass
