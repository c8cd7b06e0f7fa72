"""The merged pipeline catalogue (aggregate_app/catalog.py): identity, order, counts, conflicts."""

import pytest

from aggregate_app import catalog
from aggregate_app.merge import entity
from controltower.api.errors import ApiError

COLUMNS = ["pipeline_id", "pipeline_name", "namespace", "is_active", "runs_7d", "last_status",
           "last_start_ts", "last_end_ts"]  # fmt: skip


def keys(*rows):
    return {"columns": COLUMNS, "items": [list(r) for r in rows], "total": len(rows), "complete": True}


AWS = keys(
    ("p2", "ingest", "airflow://core", True, 1100, "SUCCESS", "2026-11-20T11:00:00Z", "2026-11-20T11:02:00Z"),
    ("p7", "headcount_ingest", "airflow://aws", True, 8, "FAILED", "2026-11-20T09:00:00Z", None),
    ("p10", "ledger", "airflow://aws", False, 0, None, None, None),
)
AZURE = keys(
    ("p2", "ingest", "airflow://core", True, 40, "FAILED", "2026-11-20T11:58:00Z", "2026-11-20T11:59:00Z"),
    ("p7", "payroll_export", "airflow://azure", True, 42, "SUCCESS", "2026-11-20T10:00:00Z", None),
)


def test_same_identity_merges_and_a_different_identity_stays_apart():
    found = catalog.entities({"aws": AWS, "azure": AZURE})
    by_key = {e.key: sorted(e.members) for e in found}
    assert by_key == {
        ("p2", "ingest", "airflow://core"): ["aws", "azure"],
        ("p7", "headcount_ingest", "airflow://aws"): ["aws"],
        ("p7", "payroll_export", "airflow://azure"): ["azure"],
        ("p10", "ledger", "airflow://aws"): ["aws"],
    }
    assert catalog.conflicts(found) == {"count": 1, "ids": ["p7"]}
    assert catalog.counts(found) == {"pipelines": 4, "active": 3}


def test_merged_values_add_counts_and_take_the_freshest_status():
    p2 = next(e for e in catalog.entities({"aws": AWS, "azure": AZURE}) if e.pipeline_id == "p2")
    assert p2.value("runs_7d") == 1140
    assert p2.value("last_status") == "FAILED"  # azure ran it last
    assert p2.value("last_end_ts") == "2026-11-20T11:59:00Z"


def test_order_is_natural_by_id_then_source_and_sorts_on_merged_values():
    found = catalog.entities({"aws": AWS, "azure": AZURE})
    by_id = [(e.pipeline_id, e.key[1]) for e in catalog.ordered(found, "pipeline_id", False)]
    assert by_id == [
        ("p2", "ingest"),
        ("p7", "headcount_ingest"),
        ("p7", "payroll_export"),
        ("p10", "ledger"),
    ]
    busiest = [e.key[1] for e in catalog.ordered(found, "runs_7d", True)]
    assert busiest == ["ingest", "payroll_export", "headcount_ingest", "ledger"]
    worst_first = [e.key[1] for e in catalog.ordered(found, "last_status", False)]
    assert worst_first[:2] == ["ingest", "headcount_ingest"] and worst_first[-1] == "ledger"  # None last


def test_one_pipeline_route_refuses_to_merge_two_different_pipelines():
    rule = entity("pipeline_id", catalog.identity_conflict)
    rows = {
        "aws": {"pipeline_id": "p7", "pipeline_name": "headcount_ingest", "namespace": "airflow://aws"},
        "azure": {"pipeline_id": "p7", "pipeline_name": "payroll_export", "namespace": "airflow://azure"},
    }
    with pytest.raises(ApiError) as refused:
        rule.merge(rows)
    assert refused.value.status_code == 409 and refused.value.code == "identity_conflict"
    assert refused.value.details["identities"]["azure"]["pipeline_name"] == "payroll_export"
    same = {s: {**r, "pipeline_name": "x", "namespace": "n"} for s, r in rows.items()}
    assert rule.merge(same)["sources"] == ["aws", "azure"]


@pytest.mark.django_db
def test_identical_key_asks_in_flight_at_once_share_one_call(stub_sources):
    from concurrent.futures import ThreadPoolExecutor

    from aggregate_app import sources

    aws = stub_sources("aws")["aws"]
    aws.catalogue([{"pipeline_id": "p1", "pipeline_name": "ingest"}], delay=0.3)
    selected = sources.select("aws")
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: catalog.fetch_keys(selected, {}, "ann"), range(2))
    assert first["aws"].ok and first["aws"].data == second["aws"].data
    assert len(aws.calls("/api/pipeline-keys")) == 1
    catalog.fetch_keys(selected, {}, "ann")  # once answered, the next ask is a call of its own
    assert len(aws.calls("/api/pipeline-keys")) == 2
