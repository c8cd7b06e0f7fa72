"""The API's one parser: JSON, where nesting deep enough to exhaust Python's recursion limit is a
400 like any other malformed body (DRF's JSONParser lets the RecursionError through as a 500)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.")
