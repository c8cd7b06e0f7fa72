"""Incidents per day by severity: a stacked bar a day, sev1 at the bottom."""

from collections import Counter

from .svg import SEVERITY, Picture, frame, line, rect, text

W, H, LEFT, TOP, BOTTOM = 560, 170, 34, 22, 34
SEVERITIES = tuple(SEVERITY)


def count(answer: dict, days: int) -> tuple[list[tuple[str, Counter]], int]:
    """[(day, Counter by severity)] oldest first for the last `days` days of an incidents/daily
    answer (its last day is today), and how many of its incidents were detected before the first
    of them: the window's earlier, partial day and the ongoing breaches it counts as `earlier`."""
    rows = sorted(answer.get("days") or [], key=lambda d: str(d.get("date")))
    shown, before = rows[-days:], rows[:-days]
    per = [(str(d.get("date")), Counter({s: d[s] for s in SEVERITIES if d.get(s)})) for d in shown]
    earlier = (answer.get("earlier") or {}).get("incidents") or 0
    return per, earlier + sum(d.get("incidents") or 0 for d in before)


def draw(per_day: list[tuple[str, Counter]], *, earlier: int = 0) -> Picture:
    totals = [sum(c.values()) for _, c in per_day]
    top = max([*totals, 1])
    plot_h, plot_w = H - TOP - BOTTOM, W - LEFT - 10
    step = plot_w / max(len(per_day), 1)
    body = [
        line(LEFT, TOP + plot_h, W - 10, TOP + plot_h),
        text(LEFT - 4, TOP + 8, str(top), size=9, anchor="end"),
    ]
    for i, (day, counts) in enumerate(per_day):
        x, y = LEFT + i * step + 2, TOP + plot_h
        for sev in (*SEVERITIES, "unknown"):
            n = counts.get(sev, 0)
            if n:
                h = plot_h * n / top
                y -= h
                body.append(rect(x, y, step - 4, h, SEVERITY.get(sev, "#999"), tip=f"{day}: {n} {sev}"))
        body.append(text(x + (step - 4) / 2, TOP + plot_h + 11, day[5:], size=9, anchor="middle"))
        body.append(text(x + (step - 4) / 2, y - 3, str(totals[i]), size=9, anchor="middle"))
    for i, sev in enumerate(SEVERITIES):
        body += [
            rect(LEFT + i * 60, H - 11, 9, 9, SEVERITY[sev]),
            text(LEFT + 13 + i * 60, H - 3, sev, size=9),
        ]
    said = "; ".join(
        f"{day}: {sum(c.values())}"
        + (f" ({', '.join(f'{c[s]} {s}' for s in SEVERITIES if c[s])})" if c else "")
        for day, c in per_day
    )
    desc = f"Incidents per day by severity, last {len(per_day)} days (UTC): {said}."
    if earlier:
        desc += f" {earlier} incidents detected before the first day are not in a bar."
    return frame("picture-per-day", W, H, "Incidents per day by severity", desc, body)
