"""A sparkline: a small line of daily values with its last value and range said."""

from .svg import INK, Picture, frame, text

W, H, PAD = 180, 36, 3


def draw(
    points: list[tuple[str, float | None]], *, title: str, unit: str = "", percent: bool = False
) -> Picture:
    """`points` oldest first ((label, value), None where a day has no value)."""
    known = [(i, v) for i, (_, v) in enumerate(points) if isinstance(v, int | float)]

    def say(v: float) -> str:
        return f"{100 * v:.1f}%" if percent else f"{v:g}{unit}"

    if not known:
        desc = f"{title}: no values over the last {len(points)} days."
        return frame("picture-sparkline", W, H, title, desc, [text(PAD, H / 2 + 4, "no data", size=10)])
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1
    step = (W - 2 * PAD - 50) / max(len(points) - 1, 1)
    xy = [(PAD + i * step, PAD + (H - 2 * PAD) * (1 - (v - low) / span)) for i, v in known]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    last_x, last_y = xy[-1]
    body = [
        f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="1.5"/>',
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="#a4161a"/>',
        text(W - 46, H / 2 + 4, say(known[-1][1]), size=11),
    ]
    first_label, last_label = points[0][0], points[-1][0]
    desc = (
        f"{title}, {first_label} to {last_label}: latest {say(known[-1][1])}, first {say(known[0][1])}, "
        f"low {say(low)}, high {say(high)} over {len(known)} days with a value."
    )
    return frame("picture-sparkline", W, H, title, desc, body)
