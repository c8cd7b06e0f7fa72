"""Named telemetry queries.

The SQL lives in `sql/queries.sql`, written once in Snowflake's dialect, each statement under a
`-- name: <query>` header, with named binds (`:team`). `render()` turns the names into the `?`
binds every backend accepts, so a client's value only ever reaches SQL as a bind parameter.
A list value (`IN (:ids)`) expands to a padded run of `?` (sizes 1, 8, 64, 256, 1024), which keeps
the number of distinct statement texts — and so the transpile/plan caches — small.

Telemetry timestamps are naive UTC (TIMESTAMP_NTZ): `now_naive()` is the bind for "now",
`aware()` turns what the warehouse returns into UTC-aware datetimes for the API.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.utils import timezone

from .warehouse import get_warehouse

SQL_FILE = Path(__file__).resolve().parent / "sql" / "queries.sql"
IN_LIST_SIZES = (1, 8, 64, 256, 1024)
MAX_IN_LIST = IN_LIST_SIZES[-1]
CENT = Decimal("0.01")

_HEADER = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_INCLUDE = re.compile(r"\{\{(\w+)\}\}")
_BIND = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=1)
def queries() -> dict[str, str]:
    """{name: sql} parsed from queries.sql (comment lines kept out of the statement text), with
    every `{{fragment}}` replaced by that named statement's text."""
    text = SQL_FILE.read_text()
    parts = _HEADER.split(text)[1:]
    named = {}
    for name, body in zip(parts[::2], parts[1::2], strict=True):
        lines = [ln for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith("--")]
        named[name] = "\n".join(lines).rstrip().rstrip(";")

    def expand(sql: str) -> str:
        return _INCLUDE.sub(lambda m: expand(named[m.group(1)]), sql)

    return {name: expand(sql) for name, sql in named.items()}


def _padded(values: Sequence) -> list:
    if not values:
        return [None]  # IN (NULL) matches nothing
    if len(values) > MAX_IN_LIST:
        raise ValueError(f"IN-list of {len(values)} values; chunk it (max {MAX_IN_LIST}).")
    size = next(s for s in IN_LIST_SIZES if s >= len(values))
    return list(values) + [values[-1]] * (size - len(values))


def render(name: str, params: Mapping) -> tuple[str, list]:
    """(sql with `?` binds, bind values in order) for a named query."""
    args: list = []

    def bind(match: re.Match) -> str:
        value = params[match.group(1)]
        if isinstance(value, list | tuple | set | frozenset):
            padded = _padded(sorted(value) if isinstance(value, set | frozenset) else list(value))
            args.extend(padded)
            return ", ".join("?" for _ in padded)
        args.append(value)
        return "?"

    sql = _BIND.sub(bind, queries()[name])
    return sql, args


def fetch_all(name: str, **params) -> list[dict]:
    return get_warehouse().fetch_all(*render(name, params))


def fetch_one(name: str, **params) -> dict | None:
    rows = fetch_all(name, **params)
    return rows[0] if rows else None


_results: dict[tuple, tuple[tuple, list[dict]]] = {}  # (query, params) -> (fingerprint, rows)
CACHED_RESULTS = 64


def fetch_all_cached(name: str, fingerprint: str, **params) -> list[dict]:
    """fetch_all for a query over small tables that seldom change (PIPELINES, DATASETS): the rows
    are reused while the named `fingerprint` statement (a count and a sum of row hashes) answers the
    same, so a repeat costs that one aggregate instead of reading and converting every row. The
    rows are shared between callers and threads: read them, never change them."""
    mark = tuple((fetch_one(fingerprint) or {}).values())
    key = (name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
    hit = _results.get(key)
    if hit is not None and hit[0] == mark:
        return hit[1]
    rows = fetch_all(name, **params)
    if len(_results) >= CACHED_RESULTS:
        _results.clear()
    _results[key] = (mark, rows)
    return rows


def fetch_in_chunks(name: str, key: str, values: Iterable, **params) -> list[dict]:
    """Run an `IN (:key)` query over any number of values, MAX_IN_LIST at a time."""
    values = sorted(set(values))
    rows: list[dict] = []
    for i in range(0, len(values), MAX_IN_LIST):
        rows.extend(fetch_all(name, **{key: values[i : i + MAX_IN_LIST]}, **params))
    return rows


def fetch_page(name: str, *, offset: int, limit: int, **params) -> tuple[list[dict], int]:
    """(rows, total) for a query ending in `COUNT(*) OVER () AS total_rows ... LIMIT :limit OFFSET :offset`.

    The total rides on every row; past the last page one extra statement asks for it."""
    rows = fetch_all(name, offset=offset, limit=limit, **params)
    if rows:
        total = int(rows[0]["total_rows"])
    elif offset > 0:
        probe = fetch_all(name, offset=0, limit=1, **params)
        total = int(probe[0]["total_rows"]) if probe else 0
    else:
        total = 0
    for row in rows:
        row.pop("total_rows", None)
    return rows, total


def now_naive() -> datetime:
    """django.utils.timezone.now() as naive UTC, the form telemetry timestamps are stored in."""
    return timezone.now().astimezone(UTC).replace(tzinfo=None)


def aware(value: datetime | None) -> datetime | None:
    """A warehouse timestamp (naive UTC) as an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def money(value: Decimal | float | int | None) -> float:
    """AUD rounded half-up to cents, as a float (0.0 for no data)."""
    cents = Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
    return float(cents)


def num(value: Decimal | float | int | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)
