"""The OpenAPI schema tells the truth about failures: a drf-spectacular postprocessing hook that
documents, on every operation, the error answers every API route can give (with the one error
envelope as their body), so clients and the fuzzer (controltower/tests/test_fuzz.py) can rely on
the schema instead of discovering status codes in production.

What every route shares, and why:
- 400: a query parameter or body it refuses, including an unknown `?format=`;
- 401: no or bad credentials (token lookup and session) — not on the public /health and /version;
- 403: a write without the route's role (or a session write without its CSRF token), a scoped
  token outside its scope, or a control tier acting for someone with no active account here;
- 404: an unknown id in the path or in a write's body, or (aggregate) a source answering 404;
- 409: a write that conflicts with the current state (nothing to review, a four-eyes refusal);
- 413 / 415: a write body larger than CT_MAX_BODY_BYTES, or not application/json;
- 414: a request line over 8190 bytes, refused by gunicorn (gunicorn.conf.py) before the app;
- 429: a throttle's rate is reached (controltower/api/throttles.py: every caller has one), with
  Retry-After;
- 503: the governance database (every authenticated call reads it) or the warehouse is down."""

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": {}},
            },
        }
    },
}
DESCRIPTIONS = {
    400: "invalid_parameter / invalid_request / malformed_request: the message names what to fix.",
    401: "not_authenticated / authentication_failed: no or bad credentials.",
    403: "permission_denied: the route's role is needed (or a session write lacks its CSRF token).",
    404: "not_found: no such object (or, through the control tier, a source answered 404).",
    409: "conflict: the write does not fit the current state; nothing was changed.",
    413: "payload_too_large: the body is larger than CT_MAX_BODY_BYTES.",
    414: "URI too long: the web server refuses request lines over 8190 bytes (no JSON body).",
    415: "unsupported_media_type: send application/json.",
    429: "throttled: a rate is reached (details.scope names it); retry after details.retry_after seconds.",
    503: "database_unavailable: the governance database or the warehouse is not reachable.",
}
PUBLIC_PATHS = ("/health", "/version")
REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds until a retry may pass.",
    }
}


def errors_for(path: str, method: str) -> tuple[int, ...]:
    if path in PUBLIC_PATHS or path.startswith("/api/schema"):
        return ()
    codes = [400, 401, 414, 429, 503]
    if method != "get":
        codes += [403, 404, 409, 413, 415]
    elif "{" in path or path.startswith("/api/aggregate/"):
        codes.append(404)
    return tuple(sorted(codes))


def _is_bare_object(content: dict) -> bool:
    schema = (content.get("application/json") or {}).get("schema") or {}
    return schema.get("type") == "object" and not schema.get("properties") and "$ref" not in schema


NO_NUL = r"^[^\x00]*$"
# What Python's str.strip() removes (DRF trims before its blank check), spelled out: regex engines
# disagree on \s (ECMA's lacks \x1c-\x1f and \x85, and adds \ufeff).
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"


def string_rules(result: dict) -> None:
    """Request strings as the serializers take them: DRF refuses NUL characters, and trims
    whitespace before judging a required string blank."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in (component.get("properties") or {}).values():
            if prop.get("type") != "string" or {"enum", "pattern", "format"} & set(prop):
                continue
            prop["pattern"] = NOT_BLANK if prop.get("minLength", 0) >= 1 else NO_NUL


def _csv_errors(responses: dict) -> None:
    """An export asked for as CSV renders its errors as CSV too (a `code,message` row)."""
    if "text/csv" not in (responses.get("200", {}).get("content") or {}):
        return
    for code, answer in responses.items():
        if code.startswith(("4", "5")) and answer.get("content"):
            answer["content"]["text/csv"] = {"schema": {"type": "string", "description": "code,message"}}


def document_errors(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOKS entry: add the shared error answers to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    string_rules(result)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in errors_for(path, method):
                answer = responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
                if code == 414:
                    continue  # gunicorn's own page
                if code == 429:
                    answer.setdefault("headers", RETRY_AFTER)
                if not answer.get("content") or _is_bare_object(answer["content"]):
                    answer["content"] = {"application/json": {"schema": REF}}
            _csv_errors(responses)
    return result
