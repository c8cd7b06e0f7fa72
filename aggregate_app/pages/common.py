"""Small helpers the view builders share: source options, paging a list, flattening per-source
answers, sorting with missing values last."""

from typing import Any

from .. import sources
from ..merge.values import natural
from .state import PageState

PAGE_SIZE = 50
AGG = "/api/aggregate"


def source_options() -> list[dict]:
    """The source switch: every configured source, then `both` (two sources) or `all`."""
    names = sources.names()
    every = "both" if len(names) <= 2 else "all"
    return [{"value": n, "label": n} for n in names] + [{"value": every, "label": f"{every} (merged)"}]


def selected_source(state: PageState, name: str) -> str:
    value = state[name]
    return "both" if value == "all" else value


def pager(state: PageState, param: str, total: int, size: int = PAGE_SIZE) -> dict:
    page = min(state.int(param), max(1, -(-total // size)))
    return {
        "page": page,
        "pages": max(1, -(-total // size)),
        "first": (page - 1) * size + 1 if total else 0,
        "last": min(page * size, total),
        "total": total,
        "prev": state.url(**{param: page - 1}) if page > 1 else None,
        "next": state.url(**{param: page + 1}) if page * size < total else None,
        "slice": slice((page - 1) * size, page * size),
    }


def sort_key(field: str, rank: dict | None = None):
    """Missing values sort last in either direction (see `sort_rows`)."""

    def key(row: dict) -> tuple:
        value = row.get(field)
        if rank is not None:
            value = rank.get(value, len(rank))
        if value is None or value == "":
            return (1, 0, "")
        if isinstance(value, int | float):
            return (0, value, "")
        return (0, 0, natural(str(value).lower()))

    return key


def sort_rows(rows: list[dict], field: str, descending: bool, rank: dict | None = None) -> list[dict]:
    key = sort_key(field, rank)
    present = [r for r in rows if key(r)[0] == 0]
    missing = [r for r in rows if key(r)[0] == 1]
    return sorted(present, key=key, reverse=descending) + missing


def by_source_items(body: dict, key: str = "items") -> list[dict]:
    """Rows of a by_source answer ({by_source: {name: {items: [...]}}}), each tagged with its source."""
    rows: list[dict] = []
    for name, answer in (body.get("by_source") or {}).items():
        if isinstance(answer, dict):
            rows += [{**r, "source": name} for r in answer.get(key) or [] if isinstance(r, dict)]
    return rows


def number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) else default


def ratio(part: Any, whole: Any) -> float | None:
    return round(number(part) / number(whole), 4) if number(whole) else None
