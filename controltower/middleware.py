"""Request ids: every request gets one minted here, echoed as X-Request-ID and written on every
audit row it causes. A caller's own X-Request-ID (a client's, or the control tier's when it
forwards a request to a source) is kept apart as the client request id, for correlation only: a
caller cannot choose the id its audit rows are filed under."""

import re
import uuid
from contextvars import ContextVar

_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
client_request_id: ContextVar[str] = ContextVar("client_request_id", default="")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
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
