"""A pipeline's run history: its last runs oldest to newest as bars of their duration, coloured
by status, with the SLA's max duration as a line."""

from statistics import median

from .svg import NEUTRAL, STATUS, Picture, frame, line, rect, text

W, H, LEFT, TOP, BOTTOM = 560, 150, 46, 14, 30


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _describe(pipeline: str, runs: list[dict], max_minutes: int | None) -> str:
    counts: dict[str, int] = {}
    for r in runs:
        counts[str(r.get("status") or "UNKNOWN")] = counts.get(str(r.get("status") or "UNKNOWN"), 0) + 1
    said = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    durations = [r["duration_seconds"] for r in runs if isinstance(r.get("duration_seconds"), int | float)]
    parts = [f"Last {len(runs)} runs of {pipeline}, oldest first: {said}."]
    if durations:
        low, high, mid = (_minutes(f(durations)) for f in (min, max, median))
        parts.append(f"Durations {low} to {high}, median {mid}.")
    if max_minutes is not None:
        over = sum(d > max_minutes * 60 for d in durations)
        parts.append(f"SLA max duration {max_minutes} min: {over} run{'s' if over != 1 else ''} over it.")
    else:
        parts.append("No SLA max duration set.")
    return " ".join(parts)


def draw(runs: list[dict], *, pipeline: str, max_duration_minutes: int | None, last: int = 30) -> Picture:
    """`runs` newest first, as /runs lists them; the picture shows the `last` of them."""
    runs = list(reversed(runs[:last]))
    durations = [r["duration_seconds"] for r in runs if isinstance(r.get("duration_seconds"), int | float)]
    limit = max_duration_minutes * 60 if max_duration_minutes is not None else None
    top = max([*durations, limit or 0, 1]) * 1.1
    plot_h, plot_w = H - TOP - BOTTOM, W - LEFT - 10
    step = plot_w / max(len(runs), 1)
    body = [line(LEFT, TOP, LEFT, TOP + plot_h), line(LEFT, TOP + plot_h, W - 10, TOP + plot_h)]
    body.append(text(LEFT - 4, TOP + 8, _minutes(top), size=9, anchor="end"))
    body.append(text(LEFT - 4, TOP + plot_h, "0", size=9, anchor="end"))
    for i, r in enumerate(runs):
        seconds = r.get("duration_seconds")
        h = (
            max(plot_h * (seconds / top), 4) if isinstance(seconds, int | float) else 3
        )  # a fast failure shows
        status = str(r.get("status") or "")
        tip = f"{r.get('run_id')}: {status.lower()}, " + (
            _minutes(seconds) if isinstance(seconds, int | float) else "no duration"
        )
        tip += f", started {str(r.get('start_ts') or '')[:16].replace('T', ' ')}"
        body.append(
            rect(
                LEFT + i * step + 1,
                TOP + plot_h - h,
                max(step - 2, 1),
                h,
                STATUS.get(status, NEUTRAL),
                tip=tip,
            )
        )
    if limit is not None:
        y = TOP + plot_h * (1 - limit / top)
        body.append(line(LEFT, y, W - 10, y, "#a4161a", stroke_dasharray="4 3", stroke_width="1.5"))
        body.append(
            text(W - 12, y - 3, f"SLA max {max_duration_minutes} min", size=9, fill="#a4161a", anchor="end")
        )
    for i, (name, colour) in enumerate(STATUS.items()):
        body += [
            rect(LEFT + i * 90, H - 12, 9, 9, colour),
            text(LEFT + 13 + i * 90, H - 4, name.lower(), size=9),
        ]
    desc = _describe(pipeline, runs, max_duration_minutes)
    return frame("picture-run-history", W, H, f"Run history of {pipeline}", desc, body)
