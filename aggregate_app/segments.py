"""Path parameters forwarded to a source: percent-encoded, and never a dot segment.

A `.` or `..` id would be resolved by the HTTP client (`/api/pipelines/../runs` reaches
`/api/runs`), so a forwarded call could land on another route than the one asked for."""

from urllib.parse import quote

from controltower.api.errors import ApiError

DOT_SEGMENTS = (".", "..")


def segment(name: str, value) -> str:
    """`value` as one path segment, or a 400 naming the parameter."""
    text = str(value)
    if text in DOT_SEGMENTS:
        raise ApiError(
            400, "invalid_parameter", f"'{name}' may not be '.' or '..'.", {"parameter": name, "value": text}
        )
    return quote(text, safe="")
