"""The lineage picture: the impact walk's nodes (pipelines, datasets, consumer assets) in columns
by depth from the pipeline (upstream would be negative depths, left of it), edges between them,
each node coloured by criticality, failing pipelines marked, and what was left out said: the
walk's own truncation and the nodes past `per_column` in a column."""

from collections import defaultdict

from .svg import CRITICALITY, NEUTRAL, Picture, clip, frame, line, rect, text

COL_W, NODE_W, NODE_H, ROW_H, PAD, TOP = 178, 152, 34, 44, 12, 34
RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
CONSUMER_KINDS = {"dashboard", "report", "ml_model"}


def _key(kind: str) -> str:
    return "pipeline" if kind == "pipeline" else "dataset"


def _columns(nodes: list[dict], failing: set[str], per_column: int) -> tuple[dict, dict]:
    """{depth: shown nodes}, {depth: how many left out}: failing, then most critical, first."""
    by_depth = defaultdict(list)
    for n in nodes:
        by_depth[int(n.get("depth") or 0)].append(n)
    shown, hidden = {}, {}
    for depth, members in sorted(by_depth.items()):
        members.sort(key=lambda n: (n["id"] not in failing, RANK.get(n.get("criticality"), 9), n["name"]))
        shown[depth], hidden[depth] = members[:per_column], max(0, len(members) - per_column)
    return shown, hidden


def _node(n: dict, x: float, y: float, failing: bool, origin: bool) -> list[str]:
    colour = CRITICALITY.get(n.get("criticality"), NEUTRAL)
    kind = str(n.get("kind") or "").replace("_", " ")
    tip = f"{n['name']} ({kind}, criticality {n.get('criticality') or 'unknown'})"
    tip += ", failing" if failing else ""
    attrs = {"rx": "4", "stroke": "#a4161a" if failing else colour, "stroke_width": "3" if failing else "1"}
    if failing:
        attrs["stroke_dasharray"] = "5 2"
    out = [rect(x, y, NODE_W, NODE_H, "#fff", tip=tip, **attrs), rect(x, y, 6, NODE_H, colour)]
    weight = "700" if origin else "400"
    out.append(text(x + 11, y + 14, clip(str(n["name"]), 23), font_weight=weight))
    status = f"{kind} · {n.get('criticality') or 'no criticality'}" + (" · FAILING" if failing else "")
    out.append(text(x + 11, y + 27, status, size=9, fill="#a4161a" if failing else "#55606e"))
    return out


def _upstream_words(upstream: dict | None) -> str:
    if upstream is None:
        return ""
    nodes = [n for n in upstream.get("nodes") or [] if (n.get("depth") or 0) > 0]
    if not nodes:
        return " Upstream: nothing feeds it."
    levels = max(n["depth"] for n in nodes)
    cut = " (walk truncated: more upstream)" if upstream.get("truncated") else ""
    return f" Upstream: {len(nodes)} nodes over {levels} levels{cut}."


def _describe(impact: dict, nodes: list[dict], failing: set[str], left_out: int, upstream=None) -> str:
    origin = impact.get("pipeline_id")
    nodes = [n for n in nodes if (n.get("depth") or 0) >= 0]
    consumers = [n for n in nodes if n.get("kind") in CONSUMER_KINDS]
    named = ", ".join(f"{c['name']} ({c.get('criticality') or 'no criticality'})" for c in consumers[:5])
    levels = max((n.get("depth") or 0 for n in nodes), default=0)
    parts = [
        f"Downstream lineage of {origin}: {len(nodes)} nodes over {levels} "
        f"levels, {len(impact.get('edges') or [])} edges; {len(consumers)} consumer assets"
        + (f": {named}{' and more' if len(consumers) > 5 else ''}" if consumers else "")
        + "."
    ]
    parts[-1] += _upstream_words(upstream)
    if failing:
        parts.append(f"Failing: {', '.join(sorted(failing))}.")
    if left_out:
        parts.append(f"{left_out} nodes not drawn (columns show their most critical nodes first).")
    if impact.get("truncated"):
        reason = str(impact.get("truncated_reason") or "limit").replace("_", " ")
        parts.append(f"The walk itself stopped at its {reason}: there is more lineage.")
    return " ".join(parts)


def draw(
    impact: dict,
    *,
    upstream: dict | None = None,
    failing: set[str] | frozenset = frozenset(),
    per_column: int = 8,
) -> Picture:
    """The lineage of an impact answer (nodes with depth, edges), and left of the pipeline what
    feeds it (an upstream answer: its depths drawn negative)."""
    nodes = [n for n in impact.get("nodes") or [] if n.get("id") is not None]
    up = [
        {**n, "depth": -n["depth"]} for n in (upstream or {}).get("nodes") or [] if (n.get("depth") or 0) > 0
    ]
    nodes += [n for n in up if n.get("id") is not None]
    edges = list(impact.get("edges") or []) + list((upstream or {}).get("edges") or [])
    failing = {f for f in failing if any(n["id"] == f for n in nodes)}
    shown, hidden = _columns(nodes, failing, per_column)
    depths = sorted(shown)
    rows = max((len(v) + (1 if hidden[d] else 0) for d, v in shown.items()), default=1)
    width = PAD * 2 + COL_W * max(len(depths), 1)
    height = TOP + rows * ROW_H + 34
    where = {}
    body = []
    for col, depth in enumerate(depths):
        x = PAD + col * COL_W
        label = (
            "pipeline"
            if depth == 0
            else f"{'+' if depth > 0 else ''}{depth} downstream"
            if depth > 0
            else f"{-depth} upstream"
        )
        body.append(text(x, 16, label, size=10, fill="#55606e"))
        for row, n in enumerate(shown[depth]):
            y = TOP + row * ROW_H
            where[(n["id"], _key(n.get("kind")))] = (x, y)
            body += _node(n, x, y, n["id"] in failing, depth == 0)
        if hidden[depth]:
            y = TOP + len(shown[depth]) * ROW_H + 14
            body.append(
                text(
                    x + 4, y, f"+{hidden[depth]} more not drawn", size=10, fill="#55606e", font_style="italic"
                )
            )
    lines = []
    for e in edges:
        a, b = where.get((e.get("src"), e.get("src_kind"))), where.get((e.get("dst"), e.get("dst_kind")))
        if a and b:
            lines.append(
                line(
                    a[0] + NODE_W,
                    a[1] + NODE_H / 2,
                    b[0],
                    b[1] + NODE_H / 2,
                    NEUTRAL,
                    stroke_width="1",
                    marker_end="url(#arrow)",
                )
            )
    arrow = (
        '<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" '
        f'orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="{NEUTRAL}"/></marker></defs>'
    )
    foot = height - 10
    legend = [text(PAD, foot, "criticality:", size=9, fill="#55606e")]
    for i, (name, colour) in enumerate(CRITICALITY.items()):
        legend += [
            rect(PAD + 62 + i * 70, foot - 8, 9, 9, colour),
            text(PAD + 74 + i * 70, foot, name, size=9),
        ]
    legend.append(text(PAD + 62 + 4 * 70, foot, "dashed red border: failing", size=9, fill="#a4161a"))
    if impact.get("truncated") or (upstream or {}).get("truncated"):
        legend.append(
            text(
                width - PAD, foot, "walk truncated: more lineage exists", size=9, fill="#a4161a", anchor="end"
            )
        )
    left_out = sum(hidden.values())
    desc = _describe(impact, nodes, failing, left_out, upstream)
    title = f"Lineage of {impact.get('pipeline_id')}"
    return frame("picture-lineage", max(width, 560), height, title, desc, [arrow, *lines, *body, *legend])
