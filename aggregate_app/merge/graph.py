"""Impact graphs from several sources become one: nodes, edges and impacted consumers are united
(deduplicated by id, each carrying the `sources` that reported it), flags like `degraded` are
true when any source says so, and counts are recomputed from the united lists."""

import json
from typing import Any

from .summary import add_up, ordered_keys

NODE_ID_KEYS = ("id", "node_id", "dataset_id", "asset_id", "consumer_id", "pipeline_id")
EDGE_KEY_PAIRS = (
    ("src_id", "dst_id"),
    ("source_id", "target_id"),
    ("src", "dst"),
    ("from", "to"),
    ("upstream", "downstream"),
    ("source", "target"),
)
EDGE_KIND_KEYS = ("src_kind", "dst_kind", "kind", "edge_type", "relation")


def identity(item: dict) -> tuple:
    for a, b in EDGE_KEY_PAIRS:
        if a in item and b in item:
            return ("edge", item[a], item[b], *(item.get(k) for k in EDGE_KIND_KEYS))
    for k in NODE_ID_KEYS:
        if item.get(k) is not None:
            return ("node", k, item[k])
    return ("value", json.dumps(item, sort_keys=True, default=str))


def union_list(parts: list[tuple[str, list]]) -> list:
    united: dict[tuple, dict] = {}
    for source, items in parts:
        for item in items:
            if not isinstance(item, dict):
                united.setdefault(("value", json.dumps(item, default=str)), item)
                continue
            seen = united.setdefault(identity(item), {**item, "sources": []})
            if source not in seen["sources"]:
                seen["sources"].append(source)
    return list(united.values())


def _recount(body: Any, lists: dict[str, list]) -> Any:
    """`nodes_count` / `edges_count` / `<list>_count` anywhere in the body follow the united lists."""
    if not isinstance(body, dict):
        return body
    out = {}
    for k, v in body.items():
        base = k[: -len("_count")] if k.endswith("_count") else None
        if base is not None and base in lists:
            out[k] = len(lists[base])
        else:
            out[k] = _recount(v, lists) if isinstance(v, dict) else v
    return out


def union_graph(answers: dict[str, Any], page=None) -> dict:
    dicts = [(s, d) for s, d in answers.items() if isinstance(d, dict)]
    merged: dict = {}
    for key in ordered_keys([d for _, d in dicts]):
        values = [(s, d[key]) for s, d in dicts if key in d and d[key] is not None]
        if values and all(isinstance(v, list) for _, v in values):
            merged[key] = union_list(values)
        else:
            merged[key] = add_up(values, key)
    lists = {k: v for k, v in merged.items() if isinstance(v, list)}
    return {**_recount(merged, lists), "sources": [s for s, _ in dicts]}
