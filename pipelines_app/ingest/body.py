"""The HTTP body of an ingest request: JSON only, size-limited (CT_MAX_BODY_BYTES, also after
gzip decompression — the openlineage-python client can send `Content-Encoding: gzip`)."""

import zlib
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from controltower.api.errors import ApiError

JSON_TYPES = ("application/json",)


def too_large(limit: int, size: int | None = None) -> ApiError:
    details = {"limit_bytes": limit, **({"content_length": size} if size is not None else {})}
    return ApiError(
        413,
        "payload_too_large",
        f"The body is larger than {limit} bytes (CT_MAX_BODY_BYTES): send fewer events per request.",
        details,
    )


def read_json(request: HttpRequest) -> Any:
    """The decoded JSON body, or ApiError 415 / 413 / 400."""
    content_type = request.content_type or ""
    if content_type.lower() not in JSON_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Send OpenLineage events as application/json (got {content_type or 'no Content-Type'}).",
            {"content_type": content_type},
        )
    limit = settings.CT_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large(limit, length)
    try:
        raw = request.body
    except RequestDataTooBig:
        raise too_large(limit, length)
    raw = _decode(raw, request.META.get("HTTP_CONTENT_ENCODING", ""), limit)
    if not raw.strip():
        raise ApiError(
            400,
            "malformed_request",
            "The body is empty: send one OpenLineage event or a JSON array.",
            {"field": "body"},
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            400,
            "malformed_request",
            f"The body is not valid JSON: {exc}.",
            {"field": "body", "position": exc.pos},
        )


def _decode(raw: bytes, encoding: str, limit: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "deflate"):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Content-Encoding {encoding!r} is not supported; use gzip or none.",
            {"content_encoding": encoding},
        )
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ApiError(
            400, "malformed_request", f"The body is not valid {encoding}: {exc}.", {"field": "body"}
        )
    if len(data) > limit or inflater.unconsumed_tail:
        raise too_large(limit)
    return data
