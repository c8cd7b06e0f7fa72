"""The two banners every view may show, read from the `_meta` of the aggregate answers it used:

- source health: one entry per configured source that failed in any answer (from `<name>_ok`
  and `sources[name]`), with the reason in words;
- capabilities: the union of `_meta.capabilities` rows (endpoint | source | status | reason),
  shown whenever a source lacks or failed an endpoint (or an optional part is not configured).
"""

from collections.abc import Iterable

from .. import sources
from .gateway import Result

ERROR_WORDS = {
    "connection_error": "not reachable",
    "timeout": "timed out",
    "circuit_open": "paused after repeated failures (circuit breaker open)",
    "server_error": "answered with a server error",
    "invalid_json": "answered with something that is not valid JSON",
    "unauthorized": "refused the control tier's credentials",
    "unsupported": "does not offer this endpoint",
    "rejected": "refused the request",
    "client_error": "could not be asked (control tier error)",
}


def _failure_text(entry: dict) -> str:
    error = entry.get("error") or ""
    words = ERROR_WORDS.get(error, error or "failed")
    reason = entry.get("reason")
    return f"{words}: {reason}" if reason and error != "circuit_open" else words


def source_health(results: Iterable[Result]) -> list[dict]:
    """[{source, ok, problems[]}] for every configured source that any answer asked."""
    health: dict[str, dict] = {}
    for name in sources.names():
        health[name] = {"source": name, "asked": False, "ok": True, "problems": []}
    for result in results:
        meta = result.meta
        for name, entry in (meta.get("sources") or {}).items():
            row = health.setdefault(name, {"source": name, "asked": False, "ok": True, "problems": []})
            row["asked"] = True
            if not entry.get("ok", True) or meta.get(f"{name}_ok") is False:
                row["ok"] = False
                text = _failure_text(entry)
                if text not in row["problems"]:
                    row["problems"].append(text)
    return [h for h in health.values() if h["asked"]]


# A capability's name for people, by its endpoint's prefix (first match); else the endpoint itself.
CAPABILITY_NAMES = (
    ("github:", "GitHub CI"),
    ("/api/triage", "Triage"),
    ("/api/runbooks", "Runbook governance"),
    ("/api/dq", "Data-quality standards"),
    ("/api/policies", "Policies"),
    ("/api/scorecards", "Scorecards"),
    ("/api/posture", "Posture"),
    ("/api/reports", "Reports"),
    ("/api/costs", "Costs"),
    ("/api/impact", "Impact"),
    ("/api/lineage", "Lineage"),
    ("/api/incidents", "Incidents"),
    ("/api/sla", "SLA"),
    ("/api/datasets", "Datasets"),
    ("/api/pipelines", "Pipelines"),
    ("/api/summary", "Summary"),
    ("/version", "Build identity"),
)
STATUS_WORDS = {"not_configured": "not configured", "unsupported": "not offered", "degraded": "degraded"}


def capability_line(row: dict) -> str:
    """ "GitHub CI not configured: set GITHUB_REPOSITORY…": which capability, where, and why."""
    endpoint = str(row.get("endpoint") or "")
    names = (n for prefix, n in CAPABILITY_NAMES if endpoint.startswith(prefix))
    name = next(names, endpoint or "A capability")
    source = row.get("source")
    where = f" on {source}" if source and source != "github" else ""
    status = row.get("status") or "unavailable"
    line = f"{name}{where} {STATUS_WORDS.get(status, str(status).replace('_', ' '))}"
    reason = str(row.get("reason") or "").strip()
    return f"{line}: {reason[:1].lower()}{reason[1:]}" if reason else line


def capabilities(results: Iterable[Result]) -> list[dict]:
    rows, seen = [], set()
    for result in results:
        for row in result.meta.get("capabilities") or []:
            if row.get("status") == "not_found":  # the source is fine; it just lacks that entity
                continue
            key = (row.get("endpoint"), row.get("source"), row.get("status"))
            if key not in seen:
                seen.add(key)
                rows.append({**row, "line": capability_line(row)})
    return rows


def banners(results: Iterable[Result]) -> dict:
    results = [r for r in results if r is not None]
    health = source_health(results)
    caps = capabilities(results)
    down = [h for h in health if not h["ok"]]
    up = [h["source"] for h in health if h["ok"]]
    return {
        "sources_down": down,
        "sources_up": up,
        "capabilities": caps,
        "capabilities_degraded": any(c.get("status") == "degraded" for c in caps),
    }
