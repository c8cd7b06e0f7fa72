"""`{% load ops %}`: the ops pages' template helpers (defined in aggregate_app/pages/templatetags.py)."""

from aggregate_app.pages.templatetags import register  # noqa: F401
