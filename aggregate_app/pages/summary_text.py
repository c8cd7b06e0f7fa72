"""The action panel as text to paste: plain (a chat message) and Markdown (a ticket). Both
read the panel dict built by action.panel. In Markdown every value that came from telemetry or a
producer (names, teams, errors) is escaped and kept on one line, so it cannot add a link, an
image, a heading or a list item; the runbook becomes a link only when it is an http(s) URL."""

import re
from urllib.parse import quote

from pipelines_app.links import web_url

# What makes inline Markdown or HTML: emphasis, code, links and images (with `[` and `]` escaped no
# `(…)` can become a link target), raw HTML, strikethrough, table cells. `#`, `-`, `+` and `1.`
# matter only at a line's start, where no value ever is.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>~])")


def _plain(text: object) -> str:
    return str(text)


def _headline(p: dict, esc=_plain) -> str:
    incident = p["incident"] or {}
    name = incident.get("pipeline_name") or p["pipeline_id"] or "pipeline"
    what = incident.get("incident_id") or (f"run {p['run_id']}" if p["run_id"] else "triage")
    return f"{esc(what)} — {esc(name)} ({esc(p['pipeline_id'])}, {esc(p['source'])})"


def _consumers(p: dict, esc=_plain) -> list[str]:
    return [
        f"{esc(c.get('name') or c.get('id'))} ({esc(c.get('kind'))}, {esc(c.get('criticality'))})"
        for c in p["impact"]["consumers"]
        if isinstance(c, dict)
    ]


def _impact_line(p: dict) -> str:
    i = p["impact"]
    consumers = len(i["consumers"])
    line = f"{i.get('nodes_count')} nodes, {i.get('edges_count')} edges, {consumers} impacted consumers"
    if i.get("truncated"):
        line += f" (lineage walk truncated: {i.get('truncated_reason')}; there may be more)"
    return line + (" (impact degraded)" if i.get("degraded") else "")


def _mode_line(p: dict) -> str:
    conf = f"; confidence {p['confidence']:.2f}" if isinstance(p["confidence"], int | float) else ""
    return f"{p['mode']} (requested {p['requested_mode']}){conf}"


def as_text(p: dict) -> str:
    incident = p["incident"] or {}
    lines = [f"Incident {_headline(p)}"]
    if incident.get("severity"):
        get = incident.get
        lines.append(f"Severity: {get('severity')} · kind: {get('kind')} · team: {get('team') or '—'}")
    lines += [f"Summary: {p['summary']}", f"Likely cause: {p['likely_cause']}", f"Impact: {_impact_line(p)}"]
    lines += [f"  - {c}" for c in _consumers(p)]
    lines.append("Next actions:")
    lines += [f"  {n}. {a}" for n, a in enumerate(p["next_actions"], 1)] or ["  (none)"]
    runbook = p["runbook"] or {}
    invalid = runbook.get("status") == "invalid_format"
    lines.append(f"Runbook: {web_url(runbook.get('url')) or ('invalid link' if invalid else 'missing')}")
    lines.append(f"Mode: {_mode_line(p)}")
    if p["fallback_reason"]:
        lines.append(f"Fallback: {p['fallback_reason']}")
    return "\n".join(lines)


def _md(text: object) -> str:
    """One line of text with every Markdown control character escaped."""
    line = " ".join(str(text or "").split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", line)


def _code(text: object) -> str:
    """A code span (inside one nothing is Markdown, so only its own delimiter is dropped)."""
    return "`" + " ".join(str(text or "").replace("`", "").split()) + "`"


def _md_url(url: str) -> str:
    """An http(s) URL as a Markdown link target: `(`, `)`, `<`, `>` and the like percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _md_link(runbook: dict) -> str:
    url = web_url(runbook.get("url"))
    if not url:
        invalid = runbook.get("url") or runbook.get("status") == "invalid_format"
        return "_invalid link (not an http(s) URL)_" if invalid else "_missing_"
    return f"[{_md(runbook.get('title') or 'runbook')}]({_md_url(url)})"


def as_markdown(p: dict) -> str:
    incident = p["incident"] or {}
    lines = [f"### Incident {_headline(p, _md)}"]
    if incident.get("severity"):
        lines.append(
            f"**Severity:** {_md(incident.get('severity'))} · **Kind:** {_md(incident.get('kind'))} · "
            f"**Team:** {_md(incident.get('team') or '—')}"
        )
    lines += ["", f"**Summary:** {_md(p['summary'])}", "", f"**Likely cause:** {_md(p['likely_cause'])}", ""]
    lines.append(f"**Impact:** {_impact_line(p)}")
    lines += [f"- {c}" for c in _consumers(p, _md)]
    lines += ["", "**Next actions**"]
    lines += [f"{n}. {_md(a)}" for n, a in enumerate(p["next_actions"], 1)] or ["_none_"]
    link = _md_link(p["runbook"] or {})
    lines += [
        "",
        f"**Runbook:** {link}",
        f"**Mode:** {_code(p['mode'])} (requested {_code(p['requested_mode'])})",
    ]
    if isinstance(p["confidence"], int | float):
        lines[-1] += f" · confidence {p['confidence']:.2f}"
    if p["fallback_reason"]:
        lines.append(f"**Fallback:** {_md(p['fallback_reason'])}")
    return "\n".join(lines)
