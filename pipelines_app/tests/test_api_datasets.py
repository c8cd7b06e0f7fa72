"""GET /api/datasets/stale: the datasets the summary's `stale_datasets` counts."""

from datetime import timedelta

from testsupport.telemetry_api import *  # noqa: F403
from testsupport.telemetry_api import NOW, iso


def test_stale_datasets_are_listed_most_overdue_first_and_match_the_summary(api, telemetry):
    t = telemetry
    t.dataset("fresh", freshness_sla_minutes=60, last_updated_ts=NOW - timedelta(minutes=30))
    t.dataset("late", freshness_sla_minutes=60, last_updated_ts=NOW - timedelta(minutes=90), team="ore")
    t.dataset("later", "dashboard", freshness_sla_minutes=60, last_updated_ts=NOW - timedelta(hours=5))
    t.dataset("never", freshness_sla_minutes=60, last_updated_ts=None)
    t.dataset("no_sla", freshness_sla_minutes=None, last_updated_ts=None)
    body = api.get("/api/datasets/stale").json()
    assert [(d["dataset_id"], d["overdue_minutes"]) for d in body["items"]] == [
        ("later", 240),
        ("late", 30),
        ("never", None),
    ]
    assert body["items"][1]["last_updated_ts"] == iso(NOW - timedelta(minutes=90))
    assert body["total"] == 3 == api.get("/api/summary").json()["stale_datasets"]
    assert [d["dataset_id"] for d in api.get("/api/datasets/stale?team=ore").json()["items"]] == ["late"]
    assert api.get("/api/datasets/stale?kind=dashboard").json()["total"] == 1
    assert api.get("/api/datasets/stale?kind=nope").status_code == 400
