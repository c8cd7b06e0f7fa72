"""What feeds a pipeline: the impact walk (impact.py) over the lineage edges turned around, so a
node's `depth` counts edges upstream (the datasets it reads are 1, the pipelines writing them 2,
...). The same depth default, node cap and truncation as the impact walk; edges keep their
direction (src feeds dst)."""

from django.utils import timezone

from . import impact
from .pipelines import require_pipeline

_turned: tuple[dict, dict] | None = None  # (the edge map it was turned from, the turned map)


def _reversed(adjacency: dict) -> dict:
    """{node: the nodes with an edge into it, sorted}: rebuilt only when impact's edge map is replaced."""
    global _turned
    cached = _turned
    if cached is not None and cached[0] is adjacency:
        return cached[1]
    feeders: dict = {}
    for src, dsts in adjacency.items():
        for dst in dsts:
            feeders.setdefault(dst, set()).add(src)
    turned = {dst: tuple(sorted(srcs)) for dst, srcs in feeders.items()}
    _turned = (adjacency, turned)
    return turned


def pipeline_upstream(pipeline_id: str, depth: int | None = None) -> dict:
    depth = impact.DEFAULT_DEPTH if depth is None else depth
    require_pipeline(pipeline_id)
    reached = impact.walk(pipeline_id, depth, _reversed(impact._all_edges()))
    details = impact._details(list(reached.depth_of))
    nodes = []
    for node, node_depth in sorted(reached.depth_of.items(), key=lambda kv: (kv[1], kv[0])):
        meta = details.get(node) or {}
        nodes.append(
            {
                "id": node[0],
                "kind": meta.get("kind") or node[1],
                "name": meta.get("name") or node[0],
                "criticality": meta.get("criticality"),
                "depth": node_depth,
            }
        )
    edges = [{"src": d[0], "src_kind": d[1], "dst": s[0], "dst_kind": s[1]} for s, d in reached.edges]
    return {
        "pipeline_id": pipeline_id,
        "depth": depth,
        "nodes": nodes,
        "edges": edges,
        "nodes_count": len(nodes),
        "edges_count": len(edges),
        "truncated": reached.truncated_reason is not None,
        "truncated_reason": reached.truncated_reason,
        "max_nodes": impact.MAX_NODES,
        "generated_at": timezone.now(),
    }
