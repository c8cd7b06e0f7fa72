"""The action panel as text to paste: plain (a chat message) and Markdown (a ticket). Both
read the panel dict built by action.panel."""


def _headline(p: dict) -> str:
    incident = p["incident"] or {}
    name = incident.get("pipeline_name") or p["pipeline_id"] or "pipeline"
    what = incident.get("incident_id") or (f"run {p['run_id']}" if p["run_id"] else "triage")
    return f"{what} — {name} ({p['pipeline_id']}, {p['source']})"


def _consumers(p: dict) -> list[str]:
    return [
        f"{c.get('name') or c.get('id')} ({c.get('kind')}, {c.get('criticality')})"
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
        lines.append(f"Severity: {get('severity')} · kind: {get('kind')} · team: {get('team')}")
    lines += [f"Summary: {p['summary']}", f"Likely cause: {p['likely_cause']}", f"Impact: {_impact_line(p)}"]
    lines += [f"  - {c}" for c in _consumers(p)]
    lines.append("Next actions:")
    lines += [f"  {n}. {a}" for n, a in enumerate(p["next_actions"], 1)] or ["  (none)"]
    runbook = p["runbook"] or {}
    lines.append(f"Runbook: {runbook.get('url') or 'missing'}")
    lines.append(f"Mode: {_mode_line(p)}")
    if p["fallback_reason"]:
        lines.append(f"Fallback: {p['fallback_reason']}")
    return "\n".join(lines)


def _md(text: object) -> str:
    return str(text or "").replace("\n", " ").strip()


def as_markdown(p: dict) -> str:
    incident = p["incident"] or {}
    lines = [f"### Incident {_md(_headline(p))}"]
    if incident.get("severity"):
        lines.append(
            f"**Severity:** {incident.get('severity')} · **Kind:** {incident.get('kind')} · "
            f"**Team:** {incident.get('team')}"
        )
    lines += ["", f"**Summary:** {_md(p['summary'])}", "", f"**Likely cause:** {_md(p['likely_cause'])}", ""]
    lines.append(f"**Impact:** {_impact_line(p)}")
    lines += [f"- {_md(c)}" for c in _consumers(p)]
    lines += ["", "**Next actions**"]
    lines += [f"{n}. {_md(a)}" for n, a in enumerate(p["next_actions"], 1)] or ["_none_"]
    runbook = p["runbook"] or {}
    link = (
        f"[{_md(runbook.get('title') or 'runbook')}]({runbook['url']})" if runbook.get("url") else "_missing_"
    )
    lines += ["", f"**Runbook:** {link}", f"**Mode:** `{p['mode']}` (requested `{p['requested_mode']}`)"]
    if isinstance(p["confidence"], int | float):
        lines[-1] += f" · confidence {p['confidence']:.2f}"
    if p["fallback_reason"]:
        lines.append(f"**Fallback:** {_md(p['fallback_reason'])}")
    return "\n".join(lines)
