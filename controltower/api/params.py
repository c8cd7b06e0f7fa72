"""Query-parameter parsing shared by list endpoints: validated ints, offset/limit, list envelope."""

import math
import re

from rest_framework.request import Request

from .errors import ApiError

INTEGER = re.compile(r"-?[0-9]{1,18}")  # ASCII digits only: int() would also take " 7", "1_0" and "٧"
NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?([eE][-+]?[0-9]{1,3})?")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def query_value(request: Request, name: str) -> str | None:
    """The one value of a query parameter (None when absent). Given twice it is refused: which one
    wins would otherwise differ between this code, proxies and the control tier's forwarding."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(
            400,
            "invalid_parameter",
            f"'{name}' was given {len(values)} times; give it once.",
            {"parameter": name},
        )
    return values[0]


def int_param(
    request: Request, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = query_value(request, name)
    if raw is None:
        return default
    value = int(raw) if INTEGER.fullmatch(raw) else None
    if (
        value is None
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        bounds = f" between {minimum} and {maximum}" if minimum is not None and maximum is not None else ""
        raise ApiError(
            400,
            "invalid_parameter",
            f"'{name}' must be an integer{bounds}; got {raw[:40]!r}.",
            {"parameter": name, "minimum": minimum, "maximum": maximum},
        )
    return value


def float_param(
    request: Request,
    name: str,
    default: float | None,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float | None:
    raw = query_value(request, name)
    if raw is None:
        return default
    value = float(raw) if NUMBER.fullmatch(raw) else None
    if value is not None and not math.isfinite(value):
        value = None
    out_of_range = value is not None and (
        (minimum is not None and value < minimum) or (maximum is not None and value > maximum)
    )
    if value is None or out_of_range:
        bounds = f" between {minimum} and {maximum}" if minimum is not None and maximum is not None else ""
        raise ApiError(
            400,
            "invalid_parameter",
            f"'{name}' must be a number{bounds}; got {raw[:40]!r}.",
            {"parameter": name, "minimum": minimum, "maximum": maximum},
        )
    return value


def page_params(request: Request, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT):
    """(offset, limit) from the query string, validated."""
    offset = int_param(request, "offset", 0, minimum=0, maximum=MAX_OFFSET)
    limit = int_param(request, "limit", default_limit, minimum=1, maximum=max_limit)
    return offset, limit


def choice_param(request: Request, name: str, choices: tuple[str, ...], default: str | None = None):
    raw = query_value(request, name)
    if raw is None:
        return default
    if raw not in choices:
        raise ApiError(
            400,
            "invalid_parameter",
            f"'{name}' must be one of {', '.join(choices)}; got {raw[:40]!r}.",
            {"parameter": name, "choices": list(choices)},
        )
    return raw


def page(items: list, total: int, offset: int, limit: int, **extra) -> dict:
    return {"items": items, "total": total, "offset": offset, "limit": limit, **extra}


def bounded(type_: type, minimum: float | None = None, maximum: float | None = None) -> dict:
    """The OpenAPI schema of a number the view checks with int_param/float_param: the schema
    states the same bounds, so a client (and the fuzzer) knows what will be accepted."""
    schema: dict = {"type": "integer" if type_ is int else "number"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


MAX_OFFSET = 10_000_000
PAGE_SCHEMAS = {"offset": bounded(int, 0, MAX_OFFSET), "limit": bounded(int, 1, MAX_LIMIT)}
FLAG_SCHEMA = {"type": "string", "enum": ["true", "false", "1", "0"]}  # what bool_param-style flags take
