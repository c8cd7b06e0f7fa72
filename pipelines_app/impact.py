"""Downstream impact: breadth-first search over LINEAGE_EDGES (model `lineage_bfs_v1`).

From a pipeline the walk follows every edge forward — pipeline -> datasets it writes ->
pipelines that read them -> ... -> consumer assets (datasets of kind dashboard, report,
ml_model). A node's `depth` is its shortest distance in edges from the pipeline (the pipeline is
0, what it writes is 1, pipelines reading that are 2, ...), as in Marquez's lineage `depth`.

One walk (`walk`) answers every question about impact, so a figure agrees wherever it appears:
the impact view, an incident's `impacted_consumers` and severity, explain-run and the triage
query (which read the impact view), and the summary's top impacted assets. Unless a caller of the
impact view asks for another depth, it goes DEFAULT_DEPTH edges deep and holds at most MAX_NODES
nodes (the pipeline included). Marquez's lineage default is also 20; a pipeline hop is two edges
(pipeline -> dataset -> pipeline), so 20 covers ten pipeline hops. A walk that stops with nodes
left unreached says so: `truncated_reason` is `node_cap` (the cap was hit: the walk stops at that
level, and which nodes fit is decided in (source, destination) order, so it is stable) or `depth`
(nodes lie beyond the last level).

The walk runs in Python over an in-process graph of every edge (`_graph`: node indexes in arrays
of ints), so a request sends the same statements at any depth: the pipeline lookup and one lookup
of the reached nodes' names and kinds (per MAX_IN_LIST nodes). The graph is kept while the
warehouse's data version (data_version.py, bumped by every writer after its commit) is the one it
was confirmed under; when the version moved, one fingerprint of LINEAGE_EDGES (row count and a sum
of row hashes, an aggregate over every edge: ~100 ms on 1M edges) decides whether the edges
changed, and only then are they read again (EDGE_PARTS statements). So the next request after a
change of lineage walks the new lineage, whichever process wrote it. Every node is expanded once,
so diamonds and cycles cost nothing extra. Memory: each distinct node is held once as an
(id, kind) tuple; edges are 4 bytes each.

`degraded` is true when the answer is known to be incomplete; `degraded_reasons` says why:
`no_lineage` (the pipeline has no outgoing edges, so nothing downstream is known), `truncated`
(the walk stopped at its depth or node cap with nodes unreached), `unknown_datasets` (edges name
datasets missing from DATASETS, so their kind — consumer or not — is unknown).
"""

import logging
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from sys import intern

from django.utils import timezone

from . import data_version
from . import queries as q
from .pipelines import CRITICALITY_RANK, require_pipeline
from .warehouse import get_warehouse

log = logging.getLogger(__name__)

IMPACT_MODEL = "lineage_bfs_v1"
CONSUMER_KINDS = ("dashboard", "report", "ml_model")
MAX_DEPTH = 20  # the deepest walk `/impact?depth=` may ask for
DEFAULT_DEPTH = MAX_DEPTH  # every impact figure's walk, and /impact's without `depth`
MAX_NODES = 2000  # nodes one walk may hold, the pipeline included
NODE_CAP, DEPTH = "node_cap", "depth"  # truncated_reason values

Node = tuple[str, str]  # (id, edge kind: "pipeline" | "dataset")


@dataclass(frozen=True)
class Walk:
    depth_of: dict[Node, int]  # every node reached: its shortest depth
    edges: list[tuple[Node, Node]]  # from each expanded node to a reached one, each once
    truncated_reason: str | None  # NODE_CAP, DEPTH, or None: nothing downstream was left out


def walk(pipeline_id: str, depth: int | None = None, graph: "Graph | None" = None) -> Walk:
    """The impact walk from one pipeline (DEFAULT_DEPTH unless `depth` is given), level by level, in
    (source, destination) order within a level, over `graph` (default: the current edges)."""
    depth = DEFAULT_DEPTH if depth is None else depth
    graph = _graph() if graph is None else graph
    nodes, offsets, targets = graph.nodes, graph.offsets, graph.targets
    origin = graph.find((pipeline_id, "pipeline"))
    if origin is None:  # no edge names the pipeline
        return Walk({(pipeline_id, "pipeline"): 0}, [], None)
    depth_of, edges, reason = {origin: 0}, [], None  # by node index
    frontier = [origin]
    for level in range(1, depth + 1):
        nxt = []
        for src in sorted(frontier):  # each destination run is sorted and distinct
            for dst in targets[offsets[src] : offsets[src + 1]]:
                if dst not in depth_of:
                    if len(depth_of) >= MAX_NODES:
                        reason = NODE_CAP
                        continue
                    depth_of[dst] = level
                    nxt.append(dst)
                edges.append((src, dst))
        if reason or not nxt:  # capped: nothing new can be added; or nothing left to expand
            break
        frontier = nxt
    else:
        if any(dst not in depth_of for src in frontier for dst in targets[offsets[src] : offsets[src + 1]]):
            reason = DEPTH
    return Walk({nodes[i]: d for i, d in depth_of.items()}, [(nodes[s], nodes[d]) for s, d in edges], reason)


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


def _node_rows(depth_of: dict[Node, int], direction_of: dict[Node, str] | None = None) -> tuple:
    """(nodes, consumer assets, datasets unknown to DATASETS) of the nodes a walk reached."""
    details = _details(list(depth_of))
    nodes, consumers, unknown = [], [], 0
    for node, node_depth in sorted(depth_of.items(), key=lambda kv: (kv[1], kv[0])):
        node_id, kind = node
        meta = details.get(node) or {}
        unknown += not meta and kind == "dataset"
        node_kind = meta.get("kind") or kind
        name, namespace, crit = meta.get("name") or node_id, meta.get("namespace"), meta.get("criticality")
        row = {"id": node_id, "kind": node_kind, "name": name, "namespace": namespace, "criticality": crit,
               "depth": node_depth}  # fmt: skip
        nodes.append(row if direction_of is None else {**row, "direction": direction_of[node]})
        downstream = direction_of is None or direction_of[node] in ("downstream", "both")
        if kind == "dataset" and node_kind in CONSUMER_KINDS and downstream:  # as consumers_reached counts
            consumers.append(
                {
                    "id": node_id,
                    "name": name,
                    "namespace": namespace,
                    "kind": node_kind,
                    "criticality": crit,
                    "owner": meta.get("owner"),
                    "team": meta.get("team"),
                    "depth": node_depth,
                }  # fmt: skip
            )
    return nodes, sorted(consumers, key=_consumer_sort_key), unknown


def _body(pipeline_id: str, depth: int, nodes: list, consumers: list, edges: list, reason, unknown) -> dict:
    truncated = reason is not None
    flags = (("no_lineage", not edges), ("truncated", truncated), ("unknown_datasets", unknown))
    reasons = [name for name, flag in flags if flag]
    return {
        "pipeline_id": pipeline_id,
        "impact_model": IMPACT_MODEL,
        "depth": depth,
        "nodes": nodes,
        "edges": [{"src": s[0], "src_kind": s[1], "dst": d[0], "dst_kind": d[1]} for s, d in edges],
        "impacted_consumers": consumers,
        "nodes_count": len(nodes),
        "edges_count": len(edges),
        "truncated": truncated,
        "truncated_reason": reason,
        "max_nodes": MAX_NODES,
        "degraded": bool(reasons),
        "degraded_reasons": reasons,
        "generated_at": timezone.now(),
    }


def pipeline_impact(pipeline_id: str, depth: int | None = None) -> dict:
    """The impact body (DEFAULT_DEPTH unless `depth` is given): nodes, edges, impacted consumers,
    and whether it is complete."""
    depth = DEFAULT_DEPTH if depth is None else depth
    require_pipeline(pipeline_id)
    reached = walk(pipeline_id, depth)
    nodes, consumers, unknown = _node_rows(reached.depth_of)
    return _body(pipeline_id, depth, nodes, consumers, reached.edges, reached.truncated_reason, unknown)


DIRECTIONS = ("upstream", "downstream", "both")


def pipeline_lineage(pipeline_id: str, direction: str, depth: int | None = None) -> dict:
    """Lineage upstream (what feeds the pipeline: "where did this data come from"), downstream (its
    impact) or both: the impact body, each node with its `direction` (origin, upstream, downstream,
    or both when a cycle puts it on each side) and its shortest depth on either side. Edges keep the
    direction data flows in. Each side is a walk of its own (depth and node cap apply per side);
    impacted consumers are the downstream ones."""
    depth = DEFAULT_DEPTH if depth is None else depth
    require_pipeline(pipeline_id)
    forward = _graph()
    sides = {}
    if direction in ("downstream", "both"):
        sides["downstream"] = walk(pipeline_id, depth, forward)
    if direction in ("upstream", "both"):
        sides["upstream"] = walk(pipeline_id, depth, forward.reversed)
    depth_of: dict[Node, int] = {}
    direction_of: dict[Node, str] = {}
    edges: dict[tuple[Node, Node], None] = {}
    for side, reached in sides.items():
        for node, node_depth in reached.depth_of.items():
            depth_of[node] = min(node_depth, depth_of.get(node, node_depth))
            direction_of[node] = side if direction_of.get(node, side) == side else "both"
        edges.update(dict.fromkeys(e if side == "downstream" else (e[1], e[0]) for e in reached.edges))
    direction_of[(pipeline_id, "pipeline")] = "origin"
    nodes, consumers, unknown = _node_rows(depth_of, direction_of)
    reasons = [r.truncated_reason for r in sides.values() if r.truncated_reason]
    body = _body(pipeline_id, depth, nodes, consumers, list(edges), (reasons or [None])[0], unknown)
    return {**body, "direction": direction}


@dataclass(frozen=True)
class Graph:
    """Every edge, compactly: node i is `nodes[i]`, its distinct destinations are
    `targets[offsets[i]:offsets[i + 1]]`. Nodes are sorted, so comparing two indexes compares
    the nodes: a walk over indexes visits them in the same (source, destination) order. Arrays of
    ints instead of a dict of tuples keep ~1M edges in a few MB (the node tuples are the rest)."""

    nodes: list[Node]
    offsets: array
    targets: array

    def find(self, node: Node) -> int | None:
        i = bisect_left(self.nodes, node)
        return i if i < len(self.nodes) and self.nodes[i] == node else None

    @cached_property
    def reversed(self) -> "Graph":
        """{destination: its distinct sources, sorted}: built once per graph, when first asked."""
        offsets, targets = self.offsets, self.targets
        pairs = (
            (dst, src) for src in range(len(self.nodes)) for dst in targets[offsets[src] : offsets[src + 1]]
        )
        return _csr(self.nodes, pairs)


def _csr(nodes: list[Node], pairs: Iterable[tuple[int, int]]) -> Graph:
    """The Graph of (source, destination) index pairs over sorted `nodes` (repeats dropped)."""
    n = len(nodes)
    offsets, targets = array("I", bytes(4 * (n + 1))), array("I")
    for key in sorted({src * n + dst for src, dst in pairs}):  # (source, destination) order
        src, dst = divmod(key, n)
        offsets[src + 1] += 1
        targets.append(dst)
    for i in range(n):
        offsets[i + 1] += offsets[i]
    return Graph(nodes, offsets, targets)


# Edges are read in this many statements (by a hash of the source): rows of an eighth in memory at once.
EDGE_PARTS = 8


def _read_graph() -> Graph:
    """Every edge of LINEAGE_EDGES as a Graph. Rows are read a part at a time and turned into ints
    at once, so no more than a part's rows are ever held as dicts (peak memory)."""
    ids: dict[Node, int] = {}  # node -> index in first-seen order (one tuple per node)
    src, dst = array("I"), array("I")
    for part in range(EDGE_PARTS):
        for r in q.fetch_all("lineage_edges_part", mask=EDGE_PARTS - 1, part=part):  # kinds lower-cased
            s, d = (r["src_id"], intern(r["src_kind"])), (r["dst_id"], intern(r["dst_kind"]))
            src.append(ids.setdefault(s, len(ids)))
            dst.append(ids.setdefault(d, len(ids)))
    nodes = sorted(ids)
    rank = array("I", bytes(4 * len(nodes)))  # first-seen index -> sorted index
    for i, node in enumerate(nodes):
        rank[ids[node]] = i
    del ids
    return _csr(nodes, ((rank[s], rank[d]) for s, d in zip(src, dst, strict=True)))


# (warehouse, data version, edge fingerprint, graph) the current graph was last confirmed under
_current: tuple[object, str | None, tuple, Graph] | None = None
_rebuilding = threading.Lock()


def _graph() -> Graph:
    """Every edge, reused across requests while LINEAGE_EDGES is unchanged. Every writer of lineage
    (ingest in any process, the loaders, warehouse_init) bumps the warehouse's data version after
    its commit, so while the version is the one the graph was confirmed under, no statement reads
    the edges. When it moved (any telemetry write: mostly runs), the fingerprint of LINEAGE_EDGES
    (row count and a sum of row hashes, one aggregate over every edge) decides whether the edges
    changed; only then are they read again. The version is read before the edges: a change
    committed after that read bumps it again, so the next request looks.

    A graph is never changed once published (callers only read it): a new one replaces `_current`
    in one assignment, so a request in another thread keeps walking the graph it started with. One
    thread checks and rebuilds at a time; the others wait for its answer."""
    global _current
    wh = get_warehouse()
    version = _data_version()
    current = _current
    if current is not None and current[:2] == (wh, version) and version is not None:
        return current[3]
    with _rebuilding:
        current = _current
        if current is not None and current[:2] == (wh, version) and version is not None:
            return current[3]  # confirmed while this thread waited
        mark = q.fetch_one("lineage_fingerprint") or {}
        fingerprint = (mark.get("edges"), mark.get("checksum"))
        same = current is not None and current[0] is wh and current[2] == fingerprint
        graph = current[3] if same else _read_graph()
        _current = (wh, version, fingerprint, graph)
    return graph


def _data_version() -> str | None:
    """The warehouse's data version, or None when it cannot be read (every request then checks the
    fingerprint, as the graph cannot know otherwise that nothing changed)."""
    try:
        return data_version.current()
    except Exception as exc:
        log.warning("impact: data version unavailable (%s); checking the lineage fingerprint", exc)
        return None


@dataclass(frozen=True)
class Reached:
    """What one pipeline's walk (at DEFAULT_DEPTH) reaches: the consumer assets' DATASETS rows, in
    id order (shared between callers: read them, never change them), and why it stopped short."""

    consumers: tuple[dict, ...]
    truncated_reason: str | None


# (graph, consumer rows, walk limits, {pipeline: Reached}): kept while both inputs are the very
# objects they were computed from (each is replaced, never changed, when its table changes).
_reached: tuple[dict, list, tuple, dict[str, Reached]] | None = None


def consumers_reached(pipeline_ids: Iterable[str]) -> dict[str, Reached]:
    """{pipeline: what `walk` reaches from it}: the consumers its impact view lists, for incidents
    and the summary, remembered while neither the lineage nor the consumer assets change:
    incidents ask for thousands of pipelines, mostly the same from one call to the next, so a
    repeat costs the consumer assets' fingerprint statement. (One walk of all of them together would share
    work, but its node cap would make a pipeline's count depend on the others.)"""
    global _reached
    graph = _graph()
    rows = q.fetch_all_cached("consumers_all", "consumers_fingerprint")
    limits, memo = (DEFAULT_DEPTH, MAX_NODES), _reached
    if memo is None or memo[0] is not graph or memo[1] is not rows or memo[2] != limits:
        memo = _reached = (graph, rows, limits, {})
    known = memo[3]
    wanted = list(dict.fromkeys(pipeline_ids))
    missing = [p for p in wanted if p not in known]
    if missing:
        by_node = {(r["dataset_id"], "dataset"): r for r in rows}
        for pipeline_id in missing:
            found = walk(pipeline_id, graph=graph)
            hits = sorted(by_node.keys() & found.depth_of.keys())  # (id, "dataset"): in id order
            known[pipeline_id] = Reached(tuple(by_node[n] for n in hits), found.truncated_reason)
    return {p: known[p] for p in wanted}
