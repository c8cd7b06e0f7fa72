"""Typed access to fields of a decoded JSON event, raising EventError that names the field."""

import re
from datetime import UTC, datetime
from typing import Any

_FRACTION = re.compile(r"(\.\d{6})\d+")  # Java producers send nanoseconds; Python parses microseconds


class EventError(ValueError):
    """An event is rejected: `field` is its dotted path (e.g. "run.runId"), `message` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def obj(value: Any, field: str, *, required: bool = True) -> dict:
    if value is None and not required:
        return {}
    if value is None:
        raise EventError(field, "is required.")
    if not isinstance(value, dict):
        raise EventError(field, f"must be an object; got {shown(value)}.")
    return value


def text(container: dict, key: str, field: str, *, required: bool = True) -> str | None:
    value = container.get(key)
    if value is None:
        if required:
            raise EventError(field, "is required.")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise EventError(field, f"must be a non-empty string; got {shown(value)}.")
    return value


def array(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise EventError(field, f"must be an array; got {shown(value)}.")
    return value


def timestamp(container: dict, key: str, field: str, *, required: bool = True) -> datetime | None:
    """An ISO 8601 date-time -> naive UTC (a value without an offset is taken as UTC)."""
    raw = text(container, key, field, required=required)
    if raw is None:
        return None
    if "T" not in raw and "t" not in raw.lower():
        raise EventError(field, f"must be an ISO 8601 date-time with a time part; got {shown(raw)}.")
    stripped = raw.strip()
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", stripped) if "." in stripped else stripped)
    except ValueError:
        raise EventError(
            field, f"must be an ISO 8601 date-time, e.g. 2026-11-20T12:00:00Z; got {shown(raw)}."
        )
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
