"""CSV for exports: `{"columns": [...], "items": [...]}` becomes a header and one line per item.
Nested values (dicts, lists) are written as JSON; errors as `code,message`."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "error" in data:
            columns, items = ["code", "message"], [data["error"]]
        else:
            columns, items = data["columns"], data["items"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for item in items:
            writer.writerow([_cell(item.get(c)) for c in columns])
        return out.getvalue().encode(self.charset)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)
