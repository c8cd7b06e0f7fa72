"""Request ids: every request gets one minted here, echoed as X-Request-ID and written on every
audit row it causes. A caller's own X-Request-ID (a client's, or the control tier's when it
forwards a request to a source) is kept apart as the client request id, for correlation only: a
caller cannot choose the id its audit rows are filed under.

Also django-csp's middleware with its policy built once (CSPMiddleware)."""

import re
import uuid
from contextvars import ContextVar
from dataclasses import asdict

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
client_request_id: ContextVar[str] = ContextVar("client_request_id", default="")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # not request.headers: it copies them all
        request.request_id = uuid.uuid4().hex
        request.client_request_id = incoming if _SAFE.match(incoming) else ""
        token = current_request_id.set(request.request_id)
        client_token = client_request_id.set(request.client_request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            client_request_id.reset(client_token)
        response["X-Request-ID"] = request.request_id
        if request.client_request_id:
            response["X-Client-Request-ID"] = request.client_request_id
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware with the settings' policy built once per process (again when the
    settings change): building it on every response was ~10% of a cached API answer's CPU. A
    response with a policy of its own (django-csp's decorators) or a nonce is built as django-csp
    builds it. `process_response` is django-csp 4.0's, but for where the policy comes from."""

    _built: dict[bool, str] = {}

    def process_response(self, request, response):
        if settings.DEBUG and response.status_code in (500, 404):  # Django's debug pages
            return response
        for report_only, header, exempt in _HEADERS:
            policy = self._policy(request, response, report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            setting = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:  # a nonce asked for now could not be sent
            request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, request, response, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        if parts.config is None and parts.update is None and parts.replace is None and parts.nonce is None:
            if report_only not in self._built:
                self._built[report_only] = build_policy(report_only=report_only)
            return self._built[report_only]
        return build_policy(**asdict(parts), report_only=report_only)


_HEADERS = ((False, HEADER, "_csp_exempt"), (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"))


@receiver(setting_changed)
def _csp_settings_changed(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        CSPMiddleware._built.clear()
