"""Tests run in one process with one settings module, which makes a source API (no CT_SOURCES).
`control_tier` serves this process as a control tier instead: its URLconf and its reported tier,
as configuring sources does in a deployment (controltower/tier.py)."""

import pytest

from controltower.tier import CONTROL, SOURCE, URLCONFS

__all__ = ["SCHEMA_FILES", "control_tier", "each_tier", "serve_as"]

# What each tier publishes: `make schema` writes these from the tier's URLconf.
SCHEMA_FILES = {SOURCE: "schema.yml", CONTROL: "schema-control.yml"}


def serve_as(settings, tier: str) -> None:
    """`settings` is pytest-django's fixture: a new ROOT_URLCONF clears the URL caches, and the
    change is undone after the test."""
    settings.CT_TIER = tier
    settings.ROOT_URLCONF = URLCONFS[tier]


@pytest.fixture
def control_tier(settings) -> str:
    serve_as(settings, CONTROL)
    return CONTROL


@pytest.fixture(params=[SOURCE, CONTROL])
def each_tier(settings, request) -> str:
    """The test once per tier."""
    serve_as(settings, request.param)
    return request.param
