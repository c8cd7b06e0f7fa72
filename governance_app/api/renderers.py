"""CSV for exports: `{"columns": [...], "items": [...]}` becomes a header and one line per item.
Nested values (dicts, lists) are written as JSON; errors as `code,message`; any other answer (an
OPTIONS description, say) as `key,value` rows rather than failing. Text a spreadsheet would run as a
formula is neutralised (controltower.api.spreadsheet)."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer

from controltower.api.spreadsheet import safe_cell


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "error" in data:
            columns, items = ["code", "message"], [data["error"]]
        elif isinstance(data, dict) and "columns" in data and "items" in data:
            columns, items = data["columns"], data["items"]
        else:
            pairs = data.items() if isinstance(data, dict) else enumerate(data or [])
            columns, items = ["key", "value"], [{"key": k, "value": v} for k, v in pairs]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for item in items:
            writer.writerow([_cell(item.get(c)) for c in columns])
        return out.getvalue().encode(self.charset)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return safe_cell(json.dumps(value, sort_keys=True, default=str))
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return safe_cell(str(value))
