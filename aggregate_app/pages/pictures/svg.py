"""The shared frame of every picture: an <svg role="img"> whose <title> and <desc> are its text
alternative, and a few escaped building blocks."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Criticality and status colours (the badge palette of ops.css, a shade darker to read on white).
CRITICALITY = {"critical": "#a4161a", "high": "#d9480f", "medium": "#b08900", "low": "#2b8a3e"}
STATUS = {"SUCCESS": "#2b8a3e", "FAILED": "#a4161a", "ABORTED": "#b08900", "RUNNING": "#0b4f8a"}
SEVERITY = {"sev1": "#a4161a", "sev2": "#d9480f", "sev3": "#b08900", "sev4": "#6c7a89"}
NEUTRAL = "#6c7a89"
INK = "#1b2430"
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Picture:
    """An inline SVG and its text alternative (the same words as its <desc>)."""

    svg: SafeString
    text: str
    testid: str

    def __str__(self) -> str:
        return self.svg


def frame(testid: str, width: float, height: float, title: str, desc: str, body: list[str]) -> Picture:
    """The <svg> around `body` (markup already escaped by the helpers below)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="picture" data-testid="{escape(testid)}" '
        f'role="img" aria-label="{escape(title)}: {escape(desc)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" {FONT}>'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return Picture(mark_safe(head + "".join(body) + "</svg>"), desc, testid)


def text(
    x: float, y: float, words: str, *, size: int = 11, fill: str = INK, anchor: str = "start", **attrs
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{extra}>'
        f"{escape(words)}</text>"
    )


def rect(x: float, y: float, w: float, h: float, fill: str, *, tip: str = "", **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    inner = f"<title>{escape(tip)}</title>" if tip else ""
    box = f'x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}"'
    return f'<rect {box} fill="{fill}"{extra}>{inner}</rect>'


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = NEUTRAL, **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'


def clip(words: str, limit: int) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"
