"""Downstream impact: breadth-first search over LINEAGE_EDGES (model `lineage_bfs_v1`).

From a pipeline the walk follows every edge forward — pipeline -> datasets it writes ->
pipelines that read them -> ... -> consumer assets (datasets of kind dashboard, report,
ml_model). A node's `depth` is its shortest distance in edges from the pipeline (the pipeline is
0, what it writes is 1, pipelines reading that are 2, ...), as in Marquez's lineage `depth`.

The walk runs in Python over an in-process map of every edge by source node (`_all_edges`), so a
request sends the same statements at any depth: the pipeline lookup, one fingerprint of
LINEAGE_EDGES (row count and a sum of row hashes: one aggregate, ~7 ms on 190k edges), and one
lookup of the reached nodes' names and kinds (per MAX_IN_LIST nodes). The map is rebuilt, by one
statement reading every edge, only when the fingerprint differs from the one it was built under:
adding, removing or altering an edge changes the count or the hash sum, so the next request walks
the new lineage, whichever process wrote it. Every node is expanded once, so diamonds and cycles
cost nothing extra; the walk stops at the level where the node cap is hit. Memory: the map holds
each distinct node once, about 36 MB for the 60k-pipeline, ~190k-edge graph of
bench/impact_bench.py; a rebuild there takes under a second and briefly needs about as much again.

`degraded` is true when the answer is known to be incomplete; `degraded_reasons` says why:
`no_lineage` (the pipeline has no outgoing edges, so nothing downstream is known), `truncated`
(the node cap was hit), `unknown_datasets` (edges name datasets missing from DATASETS, so their
kind — consumer or not — is unknown).
"""

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from . import queries as q
from .pipelines import CRITICALITY_RANK, require_pipeline

IMPACT_MODEL = "lineage_bfs_v1"
CONSUMER_KINDS = ("dashboard", "report", "ml_model")
DEFAULT_DEPTH = 5
MAX_DEPTH = 20
MAX_NODES = 2000
MAX_REACH_NODES = 20000
CONSUMER_SCAN_DATASETS = q.MAX_IN_LIST  # more datasets reached: read every consumer asset

Node = tuple[str, str]  # (id, edge kind: "pipeline" | "dataset")


def _walk(pipeline_id: str, depth: int) -> tuple[dict[Node, int], list[tuple[Node, Node]], bool]:
    """({node: shortest depth}, edges, truncated). The edges are those from every expanded node to a
    reached one, each once: level by level, in (source, destination) order within a level."""
    adjacency = _all_edges()
    origin = (pipeline_id, "pipeline")
    depth_of, edges, truncated = {origin: 0}, [], False
    frontier = {origin}
    for level in range(1, depth + 1):
        if not frontier:
            break
        nxt = set()
        for src in sorted(frontier):  # each destination list is sorted and distinct
            for dst in adjacency.get(src, ()):
                if dst not in depth_of:
                    if len(depth_of) >= MAX_NODES:
                        truncated = True
                        continue
                    depth_of[dst] = level
                    nxt.add(dst)
                edges.append((src, dst))
        if truncated:  # the cap is hit: nothing new can be added, so stop walking
            break
        frontier = nxt
    return depth_of, edges, truncated


def _details(nodes: list[Node]) -> dict[Node, dict]:
    """{(id, edge kind): PIPELINES / DATASETS facts}, one statement per MAX_IN_LIST nodes of each kind."""
    pipelines = sorted(i for i, k in nodes if k == "pipeline")
    datasets = sorted(i for i, k in nodes if k == "dataset")
    size, found = q.MAX_IN_LIST, {}
    for i in range(0, max(len(pipelines), len(datasets)), size):
        rows = q.fetch_all(
            "lineage_nodes", pipeline_ids=pipelines[i : i + size], dataset_ids=datasets[i : i + size]
        )
        found |= {(r["id"], r["node_kind"]): r for r in rows}
    return found


def _consumer_sort_key(c: dict) -> tuple:
    return (c.get("depth", 0), CRITICALITY_RANK.get(c.get("criticality"), 9), c["id"])


def pipeline_impact(pipeline_id: str, depth: int = DEFAULT_DEPTH) -> dict:
    """The impact body: nodes, edges, impacted consumers, and whether it is complete."""
    require_pipeline(pipeline_id)
    depth_of, edges, truncated = _walk(pipeline_id, depth)
    details = _details(list(depth_of))
    nodes, consumers, unknown = [], [], 0
    for node, node_depth in sorted(depth_of.items(), key=lambda kv: (kv[1], kv[0])):
        node_id, kind = node
        meta = details.get(node)
        unknown += meta is None and kind == "dataset"
        node_kind = (meta or {}).get("kind") or kind
        name = (meta or {}).get("name") or node_id
        crit = (meta or {}).get("criticality")
        nodes.append(
            {"id": node_id, "kind": node_kind, "name": name, "criticality": crit, "depth": node_depth}
        )
        if node_kind in CONSUMER_KINDS:
            consumers.append(
                {
                    "id": node_id,
                    "name": name,
                    "kind": node_kind,
                    "criticality": crit,
                    "owner": meta.get("owner"),
                    "team": meta.get("team"),
                    "depth": node_depth,
                }
            )
    reasons = [
        reason
        for reason, flag in (
            ("no_lineage", not edges),
            ("truncated", truncated),
            ("unknown_datasets", unknown),
        )
        if flag
    ]
    return {
        "pipeline_id": pipeline_id,
        "impact_model": IMPACT_MODEL,
        "depth": depth,
        "nodes": nodes,
        "edges": [{"src": s[0], "src_kind": s[1], "dst": d[0], "dst_kind": d[1]} for s, d in edges],
        "impacted_consumers": sorted(consumers, key=_consumer_sort_key),
        "nodes_count": len(nodes),
        "edges_count": len(edges),
        "truncated": truncated,
        "max_nodes": MAX_NODES,
        "degraded": bool(reasons),
        "degraded_reasons": reasons,
        "generated_at": timezone.now(),
    }


@dataclass
class Reach:
    """Consumer assets reachable from a set of pipelines, and which of them reach each one.

    Which origins reach a consumer is a bitmask over `origins` (sorted; bit i = origins[i]), so
    counting costs a popcount, not a set per consumer."""

    origins: list[str] = field(default_factory=list)
    consumers: dict[str, dict] = field(default_factory=dict)  # id -> dataset row + "mask"
    truncated: bool = False

    def impacted_by(self, consumer_id: str) -> int:
        return self.consumers[consumer_id]["mask"].bit_count()

    def origins_of(self, consumer_id: str, limit: int | None = None) -> list[str]:
        """The origins that reach a consumer, in id order (the first `limit`)."""
        mask, found = self.consumers[consumer_id]["mask"], []
        while mask and (limit is None or len(found) < limit):
            low = mask & -mask
            found.append(self.origins[low.bit_length() - 1])
            mask ^= low
        return found


_adjacency: tuple[tuple, dict[Node, tuple[Node, ...]]] | None = None  # (fingerprint, edges by source)
_rebuilding = threading.Lock()


def _all_edges() -> dict[Node, tuple[Node, ...]]:
    """Every edge by source node: {source: its distinct destinations, sorted}. Reused across requests
    while LINEAGE_EDGES is unchanged: each call checks the table's fingerprint (row count and a sum
    of row hashes: one aggregate, a few ms) instead of reading and indexing every edge again.

    A map is never changed once published (callers only read it, with `.get`): a new one replaces
    the (fingerprint, map) tuple in one assignment, so a request in another thread keeps walking the
    map it started with. One thread rebuilds at a time; the others wait for its map."""
    global _adjacency
    mark = q.fetch_one("lineage_fingerprint") or {}
    fingerprint = (mark.get("edges"), mark.get("checksum"))
    cached = _adjacency
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    with _rebuilding:
        cached = _adjacency
        if cached is not None and cached[0] == fingerprint:  # built while this thread waited
            return cached[1]
        nodes: dict[Node, Node] = {}  # one tuple per distinct node, however many edges name it
        targets: dict[Node, set[Node]] = defaultdict(set)
        for r in q.fetch_all("lineage_edges_all"):  # kinds come lower-cased
            src, dst = (r["src_id"], r["src_kind"]), (r["dst_id"], r["dst_kind"])
            targets[nodes.setdefault(src, src)].add(nodes.setdefault(dst, dst))
        adjacency = {src: tuple(sorted(dsts)) for src, dsts in targets.items()}
        _adjacency = (fingerprint, adjacency)
    return adjacency


def reach(pipeline_ids: list[str], depth: int = MAX_DEPTH) -> Reach:
    """Multi-source walk over the map of every edge (`_all_edges`: one fingerprint statement), then
    one lookup of the consumer assets reached (of every consumer asset, past one IN-list of
    datasets). Which origins reach a node rides along as a bitmask (bit i = origin i), and only
    newly arrived origins propagate, so each (node, origin) pair is handled once."""
    adjacency = _all_edges()
    origins = sorted(set(pipeline_ids))
    seen: dict[Node, int] = {(p, "pipeline"): 1 << i for i, p in enumerate(origins)}
    delta = dict(seen)
    truncated = False
    for _ in range(depth):
        if not delta:
            break
        arrived: dict[Node, int] = defaultdict(int)
        for src in sorted(delta):  # (source, destination) order: which nodes fit under the cap is stable
            for dst in adjacency.get(src, ()):
                if dst not in seen:
                    if len(seen) >= MAX_REACH_NODES:
                        truncated = True
                        continue
                    seen[dst] = 0
                new = delta[src] & ~seen[dst]
                if new:
                    seen[dst] |= new
                    arrived[dst] |= new
        if truncated:
            break
        delta = arrived
    datasets = [node_id for node_id, kind in seen if kind == "dataset"]
    if len(datasets) > CONSUMER_SCAN_DATASETS:
        rows = q.fetch_all_cached("consumers_all", "consumers_fingerprint")
    else:
        rows = q.fetch_all("consumers_by_ids", ids=datasets)
    consumers = {
        r["dataset_id"]: {**r, "mask": mask}
        for r in rows
        if (mask := seen.get((r["dataset_id"], "dataset"))) is not None and r.get("kind") in CONSUMER_KINDS
    }
    return Reach(origins=origins, consumers=consumers, truncated=truncated)


# (edge map, consumer rows, {pipeline: consumers reached}): counts kept while both inputs are the
# very objects they were computed from (each is replaced, never changed, when its table changes).
_counts: tuple[dict, list, dict[str, int]] | None = None


def consumer_counts(pipeline_ids: Iterable[str]) -> dict[str, int]:
    """{pipeline: consumer assets it reaches within MAX_DEPTH}, each pipeline walked on its own
    (up to MAX_NODES nodes, as its impact view) and remembered while neither the lineage nor the
    consumer assets change: incidents ask for thousands of pipelines, mostly the same from one call
    to the next, so a repeat costs the two fingerprint statements. (A walk of all of them together
    would share work, but its node cap would make a pipeline's count depend on the others.)"""
    global _counts
    adjacency = _all_edges()
    rows = q.fetch_all_cached("consumers_all", "consumers_fingerprint")
    memo = _counts
    if memo is None or memo[0] is not adjacency or memo[1] is not rows:
        memo = _counts = (adjacency, rows, {})
    known = memo[2]
    missing = [p for p in pipeline_ids if p not in known]
    if missing:
        consumers = {(r["dataset_id"], "dataset") for r in rows}
        for pipeline_id in missing:
            known[pipeline_id] = _consumers_reached(pipeline_id, adjacency, consumers)
    return {p: known[p] for p in pipeline_ids}


def _consumers_reached(pipeline_id: str, adjacency: dict, consumers: set[Node]) -> int:
    seen, frontier = {(pipeline_id, "pipeline")}, [(pipeline_id, "pipeline")]
    for _ in range(MAX_DEPTH):
        arrived = []
        for src in frontier:
            for dst in adjacency.get(src, ()):
                if dst not in seen and len(seen) < MAX_NODES:
                    seen.add(dst)
                    arrived.append(dst)
        if not arrived:
            break
        frontier = arrived
    return len(seen & consumers)
