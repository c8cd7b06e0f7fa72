"""Lists from many sources: concatenate with a `source` tag, merge entities by id, or add up
series point by point. Paginated lists arrive as each source's window [0, offset+limit)
(client.Call.window), so slicing the merged list gives a stable page."""

from dataclasses import dataclass
from typing import Any

from .summary import add_up, tag
from .values import is_number

ENVELOPE_KEYS = ("total", "offset", "limit", "complete")


@dataclass(frozen=True)
class Page:
    offset: int = 0
    limit: int = 50
    slice: bool = True  # False when one source paged itself (offset/limit passed through)


def list_key(data: Any) -> str | None:
    """Where the list lives: `items`, else the only list-valued field; None for a bare list."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("items"), list):
        return "items"
    lists = [k for k, v in data.items() if isinstance(v, list)]
    return lists[0] if len(lists) == 1 else "items"


def items_of(data: Any, key: str | None) -> list:
    if isinstance(data, list):
        return data
    value = data.get(key or "items") if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _total(data: Any, key: str | None) -> int:
    if isinstance(data, dict) and is_number(data.get("total")):
        return int(data["total"])
    return len(items_of(data, key))


def _rest(answers: dict[str, Any], key: str) -> dict:
    """Everything besides the list and the envelope, added up (e.g. a coverage summary), with
    each source's own figures under `by_source`."""
    parts = [
        (s, {k: v for k, v in d.items() if k != key and k not in ENVELOPE_KEYS})
        for s, d in answers.items()
        if isinstance(d, dict)
    ]
    parts = [(s, p) for s, p in parts if p]
    if not parts:
        return {}
    rest = add_up(parts)
    return {**rest, "by_source": dict(parts)} if isinstance(rest, dict) else {}


def _envelope(answers, key, items, total, page: Page | None, **extra) -> dict:
    if page is not None and page.slice:
        items = items[page.offset : page.offset + page.limit]
    envelope = {key: items, "total": total}
    if page is not None:
        envelope.update(offset=page.offset, limit=page.limit)
    return {**_rest(answers, key), **envelope, **extra}


def _sort_value(value: Any) -> tuple:
    return (0, float(value), "") if is_number(value) else (1, 0.0, str(value))


def concat(sort: str | None = None, descending: bool = True):
    """Concatenate in source order (or by `sort`, missing values last), each item tagged."""

    def rule(answers: dict[str, Any], page: Page | None = None) -> dict:
        key = next((list_key(d) for d in answers.values()), None) or "items"
        items = [tag(i, s) for s, d in answers.items() for i in items_of(d, key)]
        if sort:
            present = [i for i in items if isinstance(i, dict) and i.get(sort) is not None]
            missing = [i for i in items if not (isinstance(i, dict) and i.get(sort) is not None)]
            present.sort(key=lambda i: _sort_value(i[sort]), reverse=descending)
            items = present + missing
        total = sum(_total(d, key) for d in answers.values())
        return _envelope(answers, key, items, total, page)

    return rule


POINT_KEYS = ("date", "usage_date", "day", "bucket", "period", "ts")


def series(answers: dict[str, Any], page: Page | None = None) -> dict:
    """Time series (cost trend): points with the same date add up, sorted by date; each point
    keeps `by_source`."""
    key = next((list_key(d) for d in answers.values()), None) or "items"
    points = [(s, p) for s, d in answers.items() for p in items_of(d, key) if isinstance(p, dict)]
    point_key = next((k for k in POINT_KEYS if any(k in p for _, p in points)), None)
    if point_key is None:
        return concat()(answers, None)
    grouped: dict[Any, list[tuple[str, dict]]] = {}
    for source, point in points:
        grouped.setdefault(point.get(point_key), []).append((source, point))
    merged = []
    for at in sorted(grouped, key=lambda v: str(v)):
        entries = grouped[at]
        point = add_up([(s, {k: v for k, v in p.items() if k != point_key}) for s, p in entries])
        merged.append({point_key: at, **point, "by_source": {s: p for s, p in entries}})
    return _envelope(answers, key, merged, len(merged), None)
