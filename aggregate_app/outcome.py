"""What one source answered, classified once so merge rules and `_meta` agree on it.

kinds: ok (2xx with a JSON or CSV body) · not_found (404 for an entity: the source is fine, it just
does not have it) · unsupported (the route is missing there: 404 "No route matches", 405, 501) ·
rejected (another 4xx, or a 403 that refuses the request itself: four eyes, the acting person's
role) · unauthorized (401, or a 403 refusing the service token) ·
server_error (5xx) · invalid_json (a body that is not JSON) · timeout · connection_error ·
circuit_open · client_error (a bug on our side). The last five and the 5xx count against the
source's circuit breaker; 4xx do not (the source is alive and answering).
"""

from dataclasses import dataclass
from typing import Any

import orjson
import requests

# 403 codes that refuse the control tier's own credentials or its service role; any other 403
# refuses the request itself (four eyes) and is passed back to the caller as the source said it.
TOKEN_REFUSALS = {"not_authenticated", "authentication_failed", "permission_denied", None}
BREAKER_FAILURES = {"server_error", "invalid_json", "timeout", "connection_error", "client_error"}
UNSUPPORTED_STATUS = (405, 501)


@dataclass
class Outcome:
    source: str
    kind: str
    status: int | None = None
    latency_ms: float = 0.0
    data: Any = None
    text: str | None = None  # a CSV body, verbatim
    content_type: str = ""
    reason: str = ""
    etag: str | None = None  # the source's ETag: the same one names the same answer

    @property
    def ok(self) -> bool:
        """The source answered with data this response can use."""
        return self.kind == "ok"

    @property
    def healthy(self) -> bool:
        """The source's answer is reflected in the response (data, or a definite "not there")."""
        return self.kind in ("ok", "not_found")

    @property
    def breaker_failure(self) -> bool:
        return self.kind in BREAKER_FAILURES

    def error_body(self) -> dict | None:
        """The source's own error envelope, when it sent one."""
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            return self.data["error"]
        return None


def failure(source: str, kind: str, reason: str, latency_ms: float = 0.0) -> Outcome:
    return Outcome(source=source, kind=kind, reason=reason, latency_ms=latency_ms)


def _json(response: requests.Response) -> tuple[bool, Any]:
    if not response.content:
        return True, None
    try:
        return True, orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return False, None


def _error_message(data: Any, default: str) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("message") or default)[:300]
    return default


def _error_code(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data["error"].get("code")
    return None


def classify(source: str, response: requests.Response) -> Outcome:
    status = response.status_code
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    outcome = Outcome(source=source, kind="ok", status=status, content_type=ctype)
    outcome.etag = response.headers.get("ETag")
    if 200 <= status < 300 and ctype == "text/csv":
        outcome.text = response.text
        return outcome
    parsed, data = _json(response)
    outcome.data = data
    if not parsed:
        outcome.kind = "unsupported" if status == 404 else "invalid_json"
        outcome.reason = f"HTTP {status} with a body that is not JSON ({ctype or 'no content type'})"
        return outcome
    if 200 <= status < 300:
        return outcome
    message = _error_message(data, f"HTTP {status}")
    if status == 404:
        route_missing = message.startswith("No route matches")
        outcome.kind = "unsupported" if route_missing else "not_found"
        outcome.reason = "the source does not have this endpoint" if route_missing else message
    elif status in UNSUPPORTED_STATUS:
        outcome.kind, outcome.reason = "unsupported", message
    elif status == 401 or (status == 403 and _error_code(data) in TOKEN_REFUSALS):
        outcome.kind, outcome.reason = "unauthorized", f"HTTP {status}: {message}"
    elif status < 500:
        outcome.kind, outcome.reason = "rejected", message
    else:
        outcome.kind, outcome.reason = "server_error", f"HTTP {status}: {message}"
    return outcome
