"""`_meta` on every aggregate response: which sources answered, how, and what is missing.

    {"sources": {name: {ok, status, latency_ms, error, reason}},
     "<name>_ok": bool | None,            # every configured source; None = not selected
     "selected": [names], "degraded": bool,
     "capabilities": [{endpoint, source, status, reason, error}],
     "generated_at": ISO 8601 UTC}

`ok` means the source's answer is in the response (data, or a definite "not found");
capability `status` is `unsupported` (the source lacks the endpoint), `not_found` (it lacks the
entity) or `degraded` (it failed: `error` says how, `reason` in words).
"""

from django.utils import timezone

from .outcome import Outcome

CAPABILITY_STATUS = {"unsupported": "unsupported", "not_found": "not_found"}


def generated_at() -> str:
    return timezone.now().isoformat().replace("+00:00", "Z")


def source_entry(outcome: Outcome) -> dict:
    return {
        "ok": outcome.healthy,
        "status": outcome.status,
        "latency_ms": outcome.latency_ms,
        "error": None if outcome.ok else outcome.kind,
        "reason": outcome.reason or None,
    }


def capability(endpoint: str, outcome: Outcome) -> dict:
    return {
        "endpoint": endpoint,
        "source": outcome.source,
        "status": CAPABILITY_STATUS.get(outcome.kind, "degraded"),
        "reason": outcome.reason,
        "error": outcome.kind,
    }


def build(endpoint: str, outcomes: dict[str, Outcome], configured: list[str], extra: list[dict] = ()) -> dict:
    """The `_meta` block for `endpoint` (the source path asked), from each selected source's outcome."""
    meta: dict = {"sources": {name: source_entry(o) for name, o in outcomes.items()}}
    for name in configured:
        meta[f"{name}_ok"] = outcomes[name].healthy if name in outcomes else None
    meta["selected"] = list(outcomes)
    capabilities = [capability(endpoint, o) for o in outcomes.values() if not o.ok] + list(extra)
    meta["capabilities"] = capabilities
    meta["degraded"] = any(not o.healthy for o in outcomes.values()) or any(
        c["status"] == "degraded" for c in extra
    )
    meta["generated_at"] = generated_at()
    return meta
