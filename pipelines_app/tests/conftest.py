"""The telemetry fixtures live in fixtures.py (registered by the root conftest)."""

from .fixtures import NOW  # noqa: F401
