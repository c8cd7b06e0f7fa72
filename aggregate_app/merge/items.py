"""One entity seen by several sources (same id) becomes one row."""

from functools import cache
from itertools import chain
from typing import Any

from .values import add_numbers, additive, is_number, is_timestamp_key, latest, timestamp

IDENTITY_KEYS = ("pipeline_id", "id", "dataset_id", "team", "domain", "date", "usage_date")


def union(lists: list[list]) -> list:
    out: list = []
    for values in lists:
        out += [v for v in values if v not in out]
    return out


def _freshest(entries: list[tuple[str, dict]]) -> dict:
    ts_key = next((k for _, i in entries for k in i if k.startswith("last_") and is_timestamp_key(k)), None)
    if ts_key is None:
        return entries[0][1]
    newest = latest([i.get(ts_key) for _, i in entries])
    return next((i for _, i in entries if i.get(ts_key) == newest), entries[0][1])


@cache
def field_kind(field: str) -> str:
    """How a field of merged entities combines (decided once per field name)."""
    if is_timestamp_key(field):
        return "timestamp"
    if field.startswith("last_"):
        return "freshest"
    if additive(field) or field.startswith(("max_", "min_")) or field.endswith(("_max", "_min")):
        return "numbers"
    return "first"


def _merge_field(field: str, values: list, freshest: dict) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    kind = field_kind(field)
    if kind == "timestamp":
        return timestamp(field, present)
    if kind == "freshest":
        return freshest.get(field)
    if type(present[0]) is str:  # what every rule below returns for a string first: no scans
        return present[0]
    if isinstance(present[0], list) and all(isinstance(v, list) for v in present):
        return union(present)
    if all(isinstance(v, bool) for v in present):  # a flag raised by any source stays raised,
        return any(present)  # as in the summary, list and graph merges (combine_scalars)
    if kind == "numbers" and all(is_number(v) for v in present):
        return add_numbers(field, present)
    return present[0]


def merge_items(id_key: str, entries: list[tuple[str, dict]]) -> dict:
    """One entity seen by several sources: counts and money add, timestamps take the latest,
    `last_*` fields come from the freshest source, flags are raised if any source raises them,
    the rest come from the first; `by_source` keeps
    each source's own row."""
    freshest = _freshest(entries)
    fields = dict.fromkeys(chain.from_iterable(i for _, i in entries))  # every field, first seen first
    for own in ("source", "sources", "by_source"):
        fields.pop(own, None)
    merged = {f: _merge_field(f, [i.get(f) for _, i in entries], freshest) for f in fields}
    merged[id_key] = entries[0][1][id_key]
    merged["sources"] = [s for s, _ in entries]
    merged["by_source"] = {s: {k: v for k, v in i.items() if k != id_key} for s, i in entries}
    return merged


def identity_key(lists: list[list]) -> str | None:
    """The id field that every item of every list has, unique within each list (so the lists
    hold entities that merge by it), else None."""
    items = [i for values in lists for i in values]
    if not items or not all(isinstance(i, dict) for i in items):
        return None

    def identifies(key: str) -> bool:
        if not all(isinstance(i.get(key), str | int) for i in items):
            return False
        return all(len({i[key] for i in values}) == len(values) for values in lists)

    return next((k for k in IDENTITY_KEYS if identifies(k)), None)


def merge_keyed(key: str, parts: list[tuple[str, list]]) -> list:
    groups: dict[Any, list[tuple[str, dict]]] = {}
    for source, values in parts:
        for item in values:
            groups.setdefault(item[key], []).append((source, item))
    return [merge_items(key, entries) for entries in groups.values()]
