"""The control tier's query strings, declared once (controltower.api.query): each Serializer
validates here, before anything is forwarded, and is the schema's list of query parameters."""

from rest_framework import serializers
from rest_framework.fields import empty

from controltower.api.query import ChoiceQuery, IntegerQuery, PageQuery, QueryField
from pipelines_app.api.query import PipelineFilterQuery

from .. import catalog, drilldown

# Source names are configuration (CT_SOURCES), so the schema states their shape; a well-formed name
# this deployment does not know is a 400 naming the configured ones (aggregate_app.sources.select).
SOURCE_NAME = {
    "type": "string",
    "pattern": r"^\s*([A-Za-z][A-Za-z0-9_-]{0,31})?\s*$",
}  # any case; empty = default
DOWNLOAD = ("1", "0", "true", "false", "yes", "no")


class SourceName(QueryField):
    """`source`, as given: sources.select judges the name against the configuration and whether it
    may be left out (a write may name its source in the body instead), so `required` is the
    schema's word and select's check."""

    def __init__(self, **kw):
        super().__init__(SOURCE_NAME, **kw)

    def validate_empty_values(self, data):
        return (True, None) if data is empty else super().validate_empty_values(data)

    def to_internal_value(self, raw):
        return raw


class SourceQuery(serializers.Serializer):
    source = SourceName(help_text="A source name, `both` or `all` (every source; the default).")


class SourcePageQuery(SourceQuery, PageQuery):
    pass


class SingleSourcePageQuery(PageQuery):
    source = SourceName(required=True, help_text="One source name.")


class WriteSourceQuery(serializers.Serializer):
    source = SourceName(required=True, help_text="A source name, `both` or `all`: where the write goes.")


class CatalogQuery(SourcePageQuery, PipelineFilterQuery):
    sort = ChoiceQuery(catalog.SORTS, default="pipeline_id", help_text="merged column")
    order = ChoiceQuery(("asc", "desc"), default="asc")


class DrilldownQuery(SourceQuery):
    drilldown = ChoiceQuery(drilldown.CHOICES, required=True)
    days = IntegerQuery(1, 90, default=7, help_text="Look-back window in days.")
    limit = IntegerQuery(1, 500, default=50, help_text="Rows to return.")


class DiagnosticsQuery(SourceQuery):
    download = ChoiceQuery(DOWNLOAD, help_text="Answer as a JSON attachment.")
