"""From per-source outcomes to one aggregate answer (or one honest error).

Reads: the rule merges the sources that answered; `_meta` says how every selected source fared.
Only when no source answered is it an error: 404 when every source said "not found", the
source's own 4xx when every source refused the request, else 502 `sources_unavailable` with
each source's reason.

Writes: `{"ok", "partial", "results": {source: {ok, status, body | error}}, "_meta"}` with
HTTP 200 when every source accepted, 207 (Multi-Status) when some did, and when none did the
sources' own 4xx (all refused: the input is wrong) or 502 `sources_unavailable`.
"""

from typing import Any

from controltower.api.errors import ApiError

from . import meta, sources
from .merge import CsvBody, Page, Rule
from .outcome import Outcome


def answers_of(outcomes: dict[str, Outcome]) -> dict[str, Any]:
    return {n: (o.text if o.text is not None else o.data) for n, o in outcomes.items() if o.ok}


def _source_details(endpoint: str, outcomes: dict[str, Outcome]) -> dict:
    return {"endpoint": endpoint, "sources": {n: meta.source_entry(o) for n, o in outcomes.items()}}


def none_answered(endpoint: str, outcomes: dict[str, Outcome], details: dict | None = None) -> ApiError:
    details = details or _source_details(endpoint, outcomes)
    kinds = {o.kind for o in outcomes.values()}
    if kinds == {"not_found"}:
        first = next(iter(outcomes.values()))
        return ApiError(404, "not_found", f"{first.reason} (in every selected source)", details)
    if "rejected" in kinds and kinds <= {"rejected", "not_found"}:
        first = next(o for o in outcomes.values() if o.kind == "rejected")
        error = first.error_body() or {}
        extra = error.get("details") if isinstance(error.get("details"), dict) else {}
        message = f"{first.source}: {error.get('message') or first.reason}"
        details = {**extra, **details, "source": first.source}
        return ApiError(first.status, error.get("code") or "invalid_request", message, details)
    reasons = "; ".join(f"{n}: {o.reason or o.kind}" for n, o in outcomes.items())
    return ApiError(
        502, "sources_unavailable", f"No selected source could answer {endpoint} ({reasons}).", details
    )


def merged(endpoint: str, outcomes: dict[str, Outcome], rule: Rule, page: Page | None) -> tuple[Any, dict]:
    """(body, _meta); the body is a dict carrying `_meta`, or a CsvBody for CSV exports."""
    answers = answers_of(outcomes)
    if not answers:
        raise none_answered(endpoint, outcomes)
    body = rule.merge(answers, page)
    block = meta.build(endpoint, outcomes, sources.names())
    if not isinstance(body, CsvBody):
        body["_meta"] = block
    return body, block


def _result(outcome: Outcome) -> dict:
    if outcome.ok:
        return {"ok": True, "status": outcome.status, "body": outcome.data}
    error = outcome.error_body() or {}
    return {
        "ok": False,
        "status": outcome.status,
        "error": {
            "code": error.get("code") or outcome.kind,
            "kind": outcome.kind,
            "message": error.get("message") or outcome.reason,
        },
    }


def written(endpoint: str, outcomes: dict[str, Outcome]) -> tuple[int, dict]:
    results = {n: _result(o) for n, o in outcomes.items()}
    accepted = [o for o in outcomes.values() if o.ok]
    if not accepted:
        raise none_answered(endpoint, outcomes, {"endpoint": endpoint, "results": results})
    everyone = len(accepted) == len(outcomes)
    statuses = {o.status for o in accepted}
    status = (statuses.pop() if len(statuses) == 1 else 200) if everyone else 207
    body = {
        "ok": everyone,
        "partial": not everyone,
        "results": results,
        "_meta": meta.build(endpoint, outcomes, sources.names()),
    }
    return status, body
