"""Triage's query strings, declared once (controltower.api.query): validated and documented."""

from rest_framework import serializers

from controltower.api.query import IntegerQuery

from .serializers import MAX_CONTEXT_DAYS


class ExplainRunQuery(serializers.Serializer):
    context_days = IntegerQuery(1, MAX_CONTEXT_DAYS, default=7, help_text="History / cost window in days.")


class AssistedTelemetryQuery(serializers.Serializer):
    days = IntegerQuery(1, 90, default=7, help_text="Window in days.")
    limit = IntegerQuery(1, 200, default=20, help_text="Recent attempts to list.")
