"""Log records carry the request they were written for: `ContextFilter` (on the console handler)
puts the current request id (controltower.middleware) and, while tracing is on, the current trace
id on every record. With LOG_FORMAT=json, `JsonFormatter` writes one JSON object a line:
timestamp, level, logger, message, request_id, trace_id (when there is one) and any `extra`."""

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from controltower.middleware import current_request_id

from . import tracing


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx answer ("Not Found: /x") after the middleware returned, so outside
        # the request's context: that record names its request, which kept both ids.
        request = getattr(record, "request", None)
        record.request_id = current_request_id.get() or getattr(request, "request_id", "")
        trace_id = tracing.current_trace_id() if tracing.enabled else ""
        record.trace_id = trace_id or getattr(request, "trace_id", "")
        return True


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s %(trace_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in ("request_id", "trace_id"):  # absent outside a request, or with tracing off
            if not log_data.get(key):
                log_data.pop(key, None)
