"""The aggregate answers' orjson encoding reads back as exactly what DRF's JSONRenderer writes."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from rest_framework.renderers import JSONRenderer

from aggregate_app.api.render import AggregateJSONRenderer

BODY = {
    "pipelines": 138,
    "cost_7d_aud": 12345.67,
    "ratio": 0.3333333333333333,
    "tiny": 1e-7,
    "flags": [True, False, None],
    "name": "Zürich — ingest ✓",
    "by_source": {"aws": {"items": [{"pipeline_id": "p2", "runs_7d": 1204}]}, "azure": {}},
    "generated_at": datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
    "day": date(2026, 12, 5),
    "amount": Decimal("1.50"),
}


def test_the_same_json_as_drf_writes():
    ours = AggregateJSONRenderer().render(BODY)
    theirs = JSONRenderer().render(BODY)
    assert json.loads(ours) == json.loads(theirs)
    assert b'"generated_at":"2026-12-05T03:00:00Z"' in ours  # DRF's own datetime spelling


def test_what_orjson_cannot_write_as_drf_does_goes_drfs_way():
    for body in ({1: "int key"}, {"big": 2**70}, {"text": "line\u2028separator"}):
        assert AggregateJSONRenderer().render(body) == JSONRenderer().render(body)


def test_an_indent_asked_for_is_honoured():
    out = AggregateJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert out == JSONRenderer().render({"a": 1}, "application/json; indent=2")
