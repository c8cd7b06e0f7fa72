"""Ingest mapping and merge rules, on both warehouse backends (through the ingest service)."""

import uuid
from datetime import datetime

import pytest

from pipelines_app.ingest import ingest_batch, ingest_event
from pipelines_app.ingest.records import dataset_id_for, pipeline_id_for
from pipelines_app.warehouse import WarehouseUnavailable
from testsupport.ingest_events import dataset, error_facet, run_event

PID = pipeline_id_for("airflow-prod", "finance_daily.load_ledger")
SNOW = "snowflake://acme.ap-southeast-2"


def runs(wh, run_id):
    return wh.fetch_all("SELECT * FROM PIPELINE_RUNS WHERE run_id = ?", [run_id])


def table(wh, name, order):
    return wh.fetch_all(f"SELECT * FROM {name} ORDER BY {order}")


def test_start_then_complete_is_a_successful_run_with_times(warehouse):
    run_id = str(uuid.uuid4())
    ingest_event(run_event("START", run_id=run_id, when="2026-11-20T10:00:00Z"))
    (row,) = runs(warehouse, run_id)
    assert (row["status"], row["end_ts"], row["duration_seconds"]) == ("RUNNING", None, None)

    ingest_event(run_event("COMPLETE", run_id=run_id, when="2026-11-20T10:07:30+00:00"))
    (row,) = runs(warehouse, run_id)
    assert row["status"] == "SUCCESS"
    assert row["pipeline_id"] == PID
    assert row["start_ts"] == datetime(2026, 11, 20, 10, 0)
    assert row["end_ts"] == datetime(2026, 11, 20, 10, 7, 30)
    assert row["duration_seconds"] == 450
    assert row["trigger_type"] == "openlineage"
    assert row["event_ts"] == datetime(2026, 11, 20, 10, 7, 30)


def test_complete_before_start_ends_in_the_same_state(warehouse):
    run_id = str(uuid.uuid4())
    ingest_event(run_event("COMPLETE", run_id=run_id, when="2026-11-20T10:05:00Z"))
    ingest_event(run_event("RUNNING", run_id=run_id, when="2026-11-20T10:02:00Z"))
    ingest_event(run_event("START", run_id=run_id, when="2026-11-20T10:00:00Z"))
    (row,) = runs(warehouse, run_id)
    assert row["status"] == "SUCCESS"
    assert (row["start_ts"], row["end_ts"]) == (datetime(2026, 11, 20, 10, 0), datetime(2026, 11, 20, 10, 5))
    assert row["duration_seconds"] == 300


def test_fail_keeps_message_and_derives_a_snowflake_error_code(warehouse):
    run_id = str(uuid.uuid4())
    message = "002003 (42S02): SQL compilation error: Object 'RAW.LEDGER' does not exist or not authorized."
    ingest_event(run_event("START", run_id=run_id))
    ingest_event(
        run_event("FAIL", run_id=run_id, when="2026-11-20T10:01:00Z", run_facets=error_facet(message))
    )
    (row,) = runs(warehouse, run_id)
    assert (row["status"], row["error_code"], row["error_message"]) == ("FAILED", "002003", message)


def test_exception_class_is_the_code_when_there_is_no_number(warehouse):
    run_id = str(uuid.uuid4())
    stack = "Traceback (most recent call last):\n  File x\nairflow.exceptions.AirflowTaskTimeout: Timeout"
    facets = error_facet("Task exceeded its execution_timeout", stack)
    ingest_event(run_event("FAIL", run_id=run_id, run_facets=facets))
    assert runs(warehouse, run_id)[0]["error_code"] == "AirflowTaskTimeout"


def test_replaying_events_changes_nothing(warehouse):
    run_id = str(uuid.uuid4())
    start = run_event(
        "START", run_id=run_id, inputs=[dataset("RAW.LEDGER")], outputs=[dataset("MART.LEDGER")]
    )
    fail = run_event(
        "FAIL", run_id=run_id, when="2026-11-20T10:03:00Z", run_facets=error_facet("boom"),
        inputs=[dataset("RAW.LEDGER")], outputs=[dataset("MART.LEDGER")],
    )  # fmt: skip
    for body in (start, fail):
        ingest_event(body)
    before = [table(warehouse, t, o) for t, o in TABLES]
    for body in (fail, start, fail):
        ingest_event(body)
    assert [table(warehouse, t, o) for t, o in TABLES] == before
    assert len(runs(warehouse, run_id)) == 1
    assert len(before[2]) == 2  # one read edge, one write edge


TABLES = [
    ("PIPELINES", "pipeline_id"),
    ("PIPELINE_RUNS", "run_id"),
    ("LINEAGE_EDGES", "src_id, dst_id"),
    ("DATASETS", "dataset_id"),
]


def test_terminal_events_win_by_time_then_severity(warehouse):
    late_success, tie = str(uuid.uuid4()), str(uuid.uuid4())
    ingest_event(run_event("COMPLETE", run_id=late_success, when="2026-11-20T10:09:00Z"))
    ingest_event(
        run_event("FAIL", run_id=late_success, when="2026-11-20T10:05:00Z", run_facets=error_facet("x"))
    )
    ingest_event(run_event("COMPLETE", run_id=tie, when="2026-11-20T10:05:00Z"))
    ingest_event(run_event("ABORT", run_id=tie, when="2026-11-20T10:05:00Z"))
    late = runs(warehouse, late_success)[0]
    assert (late["status"], late["error_message"], late["end_ts"]) == (
        "SUCCESS",
        None,
        datetime(2026, 11, 20, 10, 9),
    )
    assert runs(warehouse, tie)[0]["status"] == "ABORTED"


def test_abort_maps_to_aborted_and_other_never_overrides(warehouse):
    run_id = str(uuid.uuid4())
    ingest_event(run_event("ABORT", run_id=run_id, when="2026-11-20T10:04:00Z"))
    ingest_event(run_event("OTHER", run_id=run_id, when="2026-11-20T10:06:00Z"))
    ingest_event(run_event(None, run_id=run_id, when="2026-11-20T10:07:00Z"))
    (row,) = runs(warehouse, run_id)
    assert (row["status"], row["end_ts"]) == ("ABORTED", datetime(2026, 11, 20, 10, 4))


def test_inputs_and_outputs_become_datasets_and_edges(warehouse):
    run_id = str(uuid.uuid4())
    outputs = [
        dataset(
            "MART.LEDGER", datasetType={"datasetType": "VIEW"}, ownership={"owners": [{"name": "team:fin"}]}
        )
    ]
    ingest_event(run_event("START", run_id=run_id, inputs=[dataset("RAW.LEDGER")], outputs=outputs))
    ingest_event(run_event("COMPLETE", run_id=run_id, when="2026-11-20T10:09:00Z", outputs=outputs))
    raw, mart = dataset_id_for(SNOW, "RAW.LEDGER"), dataset_id_for(SNOW, "MART.LEDGER")
    edges = {
        (e["src_id"], e["src_kind"], e["dst_id"], e["dst_kind"])
        for e in table(warehouse, "LINEAGE_EDGES", "src_id")
    }
    assert edges == {(raw, "dataset", PID, "pipeline"), (PID, "pipeline", mart, "dataset")}
    datasets = {d["dataset_id"]: d for d in table(warehouse, "DATASETS", "dataset_id")}
    assert (datasets[raw]["kind"], datasets[raw]["last_updated_ts"]) == ("table", None)
    assert datasets[raw]["namespace"] == SNOW and datasets[raw]["name"] == "RAW.LEDGER"
    assert (datasets[mart]["kind"], datasets[mart]["team"]) == ("view", "fin")
    assert datasets[mart]["last_updated_ts"] == datetime(2026, 11, 20, 10, 9)


def test_a_new_pipeline_takes_team_domain_owner_from_facets(warehouse):
    facets = {
        "jobType": {"processingType": "BATCH", "integration": "DBT", "jobType": "MODEL"},
        "ownership": {"owners": [{"name": "user:jdoe", "type": "MAINTAINER"}, {"name": "team:ledger"}]},
        "tags": {"tags": [{"key": "domain", "value": "finance"}, {"key": "pii", "value": ""}]},
        "controlTower": {"criticality": "HIGH", "runbookUrl": "https://runbooks/ledger"},
    }
    ingest_event(run_event("START", job_facets=facets))
    (p,) = table(warehouse, "PIPELINES", "pipeline_id")
    assert p["pipeline_id"] == PID
    assert (p["pipeline_name"], p["namespace"]) == ("finance_daily.load_ledger", "airflow-prod")
    assert (p["team"], p["domain"], p["owner"], p["criticality"]) == ("ledger", "finance", "jdoe", "high")
    assert (p["platform"], p["runbook_url"], p["tags"]) == (
        "dbt",
        "https://runbooks/ledger",
        "domain:finance,pii",
    )
    assert p["is_active"] is True

    ingest_event(run_event("START", job_facets={"tags": {"tags": [{"key": "team", "value": "payments"}]}}))
    (p,) = table(warehouse, "PIPELINES", "pipeline_id")
    assert (p["team"], p["domain"], p["owner"]) == ("payments", "finance", "jdoe")


def test_the_latest_facet_wins_even_when_it_flips_back(warehouse):
    for team in ("ledger", "payments", "ledger"):
        ingest_event(run_event("START", job_facets={"tags": {"tags": [{"key": "team", "value": team}]}}))
    assert table(warehouse, "PIPELINES", "pipeline_id")[0]["team"] == "ledger"


def test_without_facets_the_platform_comes_from_the_producer(warehouse):
    ingest_event(run_event("START"))
    (p,) = table(warehouse, "PIPELINES", "pipeline_id")
    assert (p["platform"], p["team"], p["domain"]) == ("airflow", None, None)


def test_nominal_time_and_rows_written_are_kept(warehouse):
    run_id = str(uuid.uuid4())
    nominal = {"nominalTime": {"nominalStartTime": "2026-11-20T09:00:00.123456789Z"}}
    out = dataset("MART.LEDGER")
    out["outputFacets"] = {"outputStatistics": {"rowCount": 1234, "size": 99}}
    ingest_event(run_event("COMPLETE", run_id=run_id, run_facets=nominal, outputs=[out]))
    (row,) = runs(warehouse, run_id)
    assert row["nominal_ts"] == datetime(2026, 11, 20, 9, 0, 0, 123456)
    assert row["rows_processed"] == 1234


def test_row_counts_beyond_the_column_are_ignored(warehouse):
    run_id = str(uuid.uuid4())
    huge, negative = dataset("A"), dataset("B")
    huge["outputFacets"] = {"outputStatistics": {"rowCount": 10**20}}
    negative["outputFacets"] = {"outputStatistics": {"rowCount": -5}}
    ingest_event(run_event("COMPLETE", run_id=run_id, outputs=[huge, negative]))
    assert runs(warehouse, run_id)[0]["rows_processed"] is None


def test_a_batch_with_both_events_of_a_run_is_merged_in_rounds(warehouse):
    run_a, run_b = str(uuid.uuid4()), str(uuid.uuid4())
    items = [
        run_event("COMPLETE", run_id=run_a, when="2026-11-20T10:05:00Z"),
        run_event("START", run_id=run_b, job="other_job"),
        run_event("START", run_id=run_a),
        run_event("FAIL", run_id=run_b, job="other_job", when="2026-11-20T10:01:00Z"),
        run_event("COMPLETE", run_id=run_a, when="2026-11-20T10:05:00Z"),
    ]
    result = ingest_batch(items)
    assert (result.accepted, result.rejected) == (5, [])
    a, b = runs(warehouse, run_a)[0], runs(warehouse, run_b)[0]
    assert (a["status"], a["duration_seconds"], b["status"]) == ("SUCCESS", 300, "FAILED")
    assert len(table(warehouse, "PIPELINES", "pipeline_id")) == 2


def test_a_batch_writes_valid_items_and_reports_the_others(warehouse):
    good, bad = run_event("START"), run_event("START", run_id="not-a-uuid")
    result = ingest_batch([good, bad, "nope"])
    assert result.accepted == 1
    assert [(r["index"], r["field"]) for r in result.rejected] == [(1, "run.runId"), (2, "event")]
    assert len(table(warehouse, "PIPELINE_RUNS", "run_id")) == 1


def test_job_and_dataset_events_write_lineage_and_datasets(warehouse):
    job_event = run_event(None, inputs=[dataset("RAW.A")], outputs=[dataset("MART.B")])
    del job_event["run"]
    job_event["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent"
    assert ingest_event(job_event)["kind"] == "job"
    dataset_event = {
        "eventTime": "2026-11-20T10:00:00Z",
        "producer": "https://example.com/catalog",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": dataset("BI.REVENUE_DASHBOARD", datasetType={"datasetType": "DASHBOARD"}),
    }
    assert ingest_event(dataset_event)["kind"] == "dataset"
    kinds = {d["name"]: d["kind"] for d in table(warehouse, "DATASETS", "dataset_id")}
    assert kinds == {"RAW.A": "table", "MART.B": "table", "BI.REVENUE_DASHBOARD": "dashboard"}
    assert len(table(warehouse, "LINEAGE_EDGES", "src_id")) == 2
    assert table(warehouse, "PIPELINE_RUNS", "run_id") == []


def test_a_failed_write_leaves_nothing_behind(warehouse):
    warehouse.execute("DROP TABLE PIPELINE_RUNS")  # the last statement of the transaction fails
    with pytest.raises(WarehouseUnavailable):
        ingest_event(run_event("START", inputs=[dataset("RAW.A")], outputs=[dataset("MART.B")]))
    assert table(warehouse, "PIPELINES", "pipeline_id") == []
    assert table(warehouse, "DATASETS", "dataset_id") == []
    assert table(warehouse, "LINEAGE_EDGES", "src_id") == []


def test_a_start_after_a_complete_leaves_the_datasets_as_they_are(warehouse, monkeypatch):
    """The next run's START names the datasets without a time: nothing of them is written again
    (store.dataset_covered), and an attribute that did change still is."""
    mart = dataset_id_for(SNOW, "MART.LEDGER")
    outputs = [dataset("MART.LEDGER")]
    ingest_event(run_event("START", outputs=outputs))
    ingest_event(run_event("COMPLETE", when="2026-11-20T10:09:00Z", outputs=outputs))
    executed = []
    original = warehouse.execute
    monkeypatch.setattr(
        warehouse, "execute", lambda sql, params=(): executed.append(sql) or original(sql, params)
    )
    ingest_event(run_event("START", when="2026-11-20T11:00:00Z", outputs=outputs))
    assert not [s for s in executed if s.startswith("UPDATE DATASETS")]
    owned = [dataset("MART.LEDGER", ownership={"owners": [{"name": "team:fin"}]})]
    ingest_event(run_event("START", when="2026-11-20T12:00:00Z", outputs=owned))
    row = warehouse.fetch_one("SELECT team, last_updated_ts FROM DATASETS WHERE dataset_id = ?", [mart])
    assert (row["team"], row["last_updated_ts"]) == ("fin", datetime(2026, 11, 20, 10, 9))
