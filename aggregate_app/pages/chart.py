"""The cost trend chart, drawn on the server as SVG geometry from the data: a total line with
its area, one line per source when several answered, y ticks at round values, dated x ticks.
The template (ops/partials/chart.html) only places what this computes."""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 1100, 300
PAD = {"left": 64, "right": 16, "top": 16, "bottom": 36}
SOURCE_CLASSES = ("s1", "s2", "s3", "s4")


@dataclass
class Line:
    name: str
    css: str
    d: str
    points: list[dict] = field(default_factory=list)


@dataclass
class Chart:
    width: int
    height: int
    plot: dict
    lines: list[Line]
    area: str
    y_ticks: list[dict]
    x_ticks: list[dict]
    peak: dict
    title: str
    rows: list[dict]
    partial_last: bool = False


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def money(value: float) -> str:
    """An axis or peak label, in the pages' one currency label (A$)."""
    if value >= 1000:
        return f"A${value / 1000:,.1f}k".replace(".0k", "k")
    return f"A${value:,.0f}"


def _path(coords: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))


def trend_chart(
    points: list[dict], title: str, value: str = "cost_aud", date: str = "date", today: str = ""
) -> Chart | None:
    """None when there is nothing to draw. A last point dated `today` is marked as a partial day."""
    points = [p for p in points if isinstance(p.get(value), int | float) and p.get(date)]
    if not points:
        return None
    plot = {
        "x": PAD["left"],
        "y": PAD["top"],
        "w": WIDTH - PAD["left"] - PAD["right"],
        "h": HEIGHT - PAD["top"] - PAD["bottom"],
    }
    top_value = max(p[value] for p in points)
    step = nice_step(top_value or 1.0)
    y_max = step * math.ceil((top_value or 1.0) / step)
    n = len(points)

    def x(i: int) -> float:
        return plot["x"] + (plot["w"] * i / (n - 1) if n > 1 else plot["w"] / 2)

    def y(v: float) -> float:
        return plot["y"] + plot["h"] * (1 - v / y_max)

    total = [(x(i), y(p[value])) for i, p in enumerate(points)]
    bottom = plot["y"] + plot["h"]
    area = _path(total) + f" L{total[-1][0]:.1f},{bottom:.1f} L{total[0][0]:.1f},{bottom:.1f} Z"
    lines = [
        Line(
            "total",
            "total",
            _path(total),
            [
                {"x": cx, "y": cy, "label": f"{p[date]}: A${p[value]:,.2f}"}
                for (cx, cy), p in zip(total, points, strict=True)
            ],
        )
    ]
    names = list(dict.fromkeys(s for p in points for s in (p.get("by_source") or {})))
    if len(names) > 1:
        for k, name in enumerate(names):
            coords = [
                (x(i), y(((p.get("by_source") or {}).get(name) or {}).get(value) or 0.0))
                for i, p in enumerate(points)
            ]
            lines.append(Line(name, SOURCE_CLASSES[k % len(SOURCE_CLASSES)], _path(coords)))
    ticks = int(round(y_max / step))
    y_ticks = [{"y": y(step * t), "label": money(step * t)} for t in range(ticks + 1)]
    every = max(1, math.ceil(n / 12))
    x_ticks = [{"x": x(i), "label": str(points[i][date])[5:]} for i in range(0, n, every)]
    peak_i = max(range(n), key=lambda i: points[i][value])
    peak = {"x": total[peak_i][0], "y": total[peak_i][1], "label": money(points[peak_i][value])}
    rows = [
        {
            "date": p[date],
            "value": p[value],
            "by_source": {s: (p.get("by_source") or {}).get(s, {}).get(value) for s in names},
        }
        for p in points
    ]
    partial = str(points[-1][date]) == today
    return Chart(WIDTH, HEIGHT, plot, lines, area, y_ticks, x_ticks, peak, title, rows, partial)
