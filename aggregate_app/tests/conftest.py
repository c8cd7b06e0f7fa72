"""Fixtures of the aggregate tests: stub sources (stubs.py)."""

from .stubs import stub_sources  # noqa: F401
