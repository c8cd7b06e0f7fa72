"""One error envelope for every API failure: {"error": {"code", "message", "details"}}."""

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

log = logging.getLogger(__name__)

CODES = {
    exceptions.ValidationError: "invalid_request",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
}


class ApiError(exceptions.APIException):
    """An error with an explicit code, a message a person can act on, and structured details."""

    def __init__(self, status_code: int, code: str, message: str, details: dict | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details or {}


def envelope(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_message(detail) -> str:
    """First field error as 'field: message', so a person sees what to fix."""
    if isinstance(detail, dict):
        for field, errors in detail.items():
            inner = _validation_message(errors)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _validation_message(detail[0])
    return str(detail)


def _database_unavailable(exc: Exception) -> ApiError:
    """The governance database is down or unreachable: a 503 the client may retry, not a 500.
    The transaction (ATOMIC writes) was rolled back, so nothing was partly written."""
    log.warning("governance database unavailable: %s", type(exc).__name__)
    return ApiError(
        503,
        "database_unavailable",
        "The governance database is not reachable; nothing was changed. Retry shortly.",
        {"database": "governance"},
    )


def _throttled(exc: exceptions.Throttled, request) -> ApiError:
    """429 with when to retry (also the Retry-After header) and which limit was reached."""
    scope, wait = getattr(request, "throttled_by", None) or ("", math.ceil(exc.wait or 1))
    limit = f"the '{scope}' limit ({api_settings.DEFAULT_THROTTLE_RATES.get(scope)})" if scope else "a limit"
    error = ApiError(
        429,
        "throttled",
        f"Too many requests: {limit} is reached; try again in {wait} seconds.",
        {"retry_after": wait, "scope": scope},
    )
    error.wait = wait
    return error


def exception_handler(exc, context):
    exc = _translate(exc, context.get("request"))
    if not isinstance(exc, exceptions.APIException):
        return _unhandled(context)
    return Response(_body(exc), status=exc.status_code, headers=_headers(exc))


def _translate(exc, request):
    """Django's and the database's exceptions, and throttling, as the API exceptions they mean."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            413,
            "payload_too_large",
            "The body is larger than this server accepts (CT_MAX_BODY_BYTES).",
            {"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )
    if isinstance(exc, OperationalError | InterfaceError):
        return _database_unavailable(exc)
    if isinstance(exc, exceptions.Throttled):
        return _throttled(exc, request)
    return exc


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, ApiError):
        return envelope(exc.code, exc.message, exc.details)
    if isinstance(exc, exceptions.ValidationError):
        return envelope("invalid_request", _validation_message(exc.detail), {"fields": exc.detail})
    code = next((c for cls, c in CODES.items() if isinstance(exc, cls)), exc.default_code)
    return envelope(code, str(exc.detail))


def _headers(exc: exceptions.APIException) -> dict:
    """WWW-Authenticate when the error names its auth scheme, Retry-After when it says how long to wait."""
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    wait = getattr(exc, "wait", None)
    if wait is None and isinstance(exc, ApiError) and exc.status_code == 429:
        wait = exc.details.get("retry_after")  # a source's 429, passed back by a control tier
    if isinstance(wait, int | float) and wait > 0:
        headers["Retry-After"] = str(math.ceil(wait))
    return headers


def _unhandled(context) -> Response:
    """A 500 that names the request, with the traceback in the log (called while handling the error)."""
    request_id = getattr(context.get("request"), "request_id", "")
    log.exception("Unhandled error in %s (request %s)", context.get("view").__class__.__name__, request_id)
    return Response(
        envelope("internal_error", "An unexpected error occurred.", {"request_id": request_id}),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_404(request, exception=None):
    return JsonResponse(envelope("not_found", f"No route matches {request.path}."), status=404)


def json_500(request):
    details = {"request_id": getattr(request, "request_id", "")}
    return JsonResponse(envelope("internal_error", "An unexpected error occurred.", details), status=500)
