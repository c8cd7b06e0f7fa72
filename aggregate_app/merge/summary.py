"""Summaries and objects: add up field by field (see values.py), keep each source's answer."""

from typing import Any

from .items import identity_key, merge_keyed
from .values import combine_scalars

Parts = list[tuple[str, Any]]


def tag(item: Any, source: str) -> Any:
    return {**item, "source": source} if isinstance(item, dict) else item


def concat_tagged(parts: Parts) -> list:
    """Lists of entities (items sharing an id field: pipeline_id, id, team, date…) merge by that
    id; other lists concatenate in source order, dict items tagged with their `source`, repeated
    scalars collapsing."""
    key = identity_key([values for _, values in parts])
    if key is not None:
        return merge_keyed(key, parts)
    out: list = []
    for source, values in parts:
        for item in values:
            if isinstance(item, dict):
                out.append(tag(item, source))
            elif item not in out:
                out.append(item)
    return out


def ordered_keys(dicts: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for d in dicts for k in d))


def add_up(parts: Parts, key: str = "") -> Any:
    """Merge the same field from several sources: dicts field by field, lists concatenated with
    a source tag, scalars by `combine_scalars`. Values of different kinds keep the first one."""
    present = [(s, v) for s, v in parts if v is not None]
    if not present:
        return None
    values = [v for _, v in present]
    if all(isinstance(v, dict) for v in values):
        return {k: add_up([(s, v.get(k)) for s, v in present], k) for k in ordered_keys(values)}
    if all(isinstance(v, list) for v in values):
        return concat_tagged(present)
    if any(isinstance(v, dict | list) for v in values):
        return values[0]
    return combine_scalars(key, values)


def summed(answers: dict[str, Any], page=None) -> dict:
    """Summary rule: counts and money add; `by_source` keeps every source's own figures."""
    merged = add_up(list(answers.items()))
    merged = merged if isinstance(merged, dict) else {"value": merged}
    return {**merged, "by_source": answers}
