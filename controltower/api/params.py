"""Query-parameter parsing shared by list endpoints: validated ints, offset/limit, list envelope."""

import math

from rest_framework.request import Request

from .errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def int_param(
    request: Request, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
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
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = None
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
    offset = int_param(request, "offset", 0, minimum=0, maximum=10_000_000)
    limit = int_param(request, "limit", default_limit, minimum=1, maximum=max_limit)
    return offset, limit


def choice_param(request: Request, name: str, choices: tuple[str, ...], default: str | None = None):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
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
