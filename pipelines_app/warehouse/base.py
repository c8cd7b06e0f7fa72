"""What every warehouse backend offers, and the errors they raise."""

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from controltower.api.errors import ApiError

SCHEMA_SQL = Path(__file__).resolve().parent.parent / "sql" / "schema.sql"


class WarehouseUnavailable(ApiError):
    """The warehouse cannot answer: 503 `database_unavailable`, naming what to check."""

    def __init__(self, message: str, *, setting: str | None = None, backend: str | None = None):
        details = {k: v for k, v in {"setting": setting, "backend": backend}.items() if v}
        super().__init__(503, "database_unavailable", message, details)


def schema_statements() -> list[str]:
    """The DDL in schema.sql, one statement each, comments stripped."""
    text = re.sub(r"--[^\n]*", "", SCHEMA_SQL.read_text())
    return [s.strip() for s in text.split(";") if s.strip()]


class Warehouse:
    """A telemetry warehouse. SQL is Snowflake dialect with `?` bind parameters; rows come back as
    dicts with lower-case keys, whatever the backend's case conventions."""

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

    def ping(self) -> None:
        """Raise WarehouseUnavailable unless a trivial query answers."""
        self.fetch_all("SELECT 1 AS ok")

    def create_schema(self) -> None:
        for statement in schema_statements():
            self.execute(statement)

    def close(self) -> None:
        pass
