"""The aggregate answers' JSON, encoded by orjson.

An aggregate answer carries every source's own rows (`by_source`), so it grows with the number of
sources: at ten sources json.dumps was ~20 ms of a catalogue page's control-tier CPU. The JSON is
DRF's JSONRenderer's (compact, UTF-8, dates and datetimes through its encoder; a float may spell
its exponent shorter: 1e-7, not 1e-07); what orjson would write differently (non-string keys,
integers past 64 bits, U+2028/U+2029, an indent asked for) takes DRF's own path."""

import orjson
from rest_framework.renderers import JSONRenderer

_LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())  # DRF escapes them for JavaScript


class AggregateJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(
                data, default=self.encoder_class().default, option=orjson.OPT_PASSTHROUGH_DATETIME
            )
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        if any(s in out for s in _LINE_SEPARATORS):
            return super().render(data, accepted_media_type, renderer_context)
        return out
