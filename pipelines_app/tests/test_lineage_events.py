"""Events kept as received: GET /api/lineage/events (by run, job, time; paged), the per-producer
facet coverage report GET /api/lineage/coverage, and retention."""

import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.core.management import call_command

from pipelines_app.ingest import raw
from pipelines_app.ingest.facets import MAPPED
from pipelines_app.ingest.records import pipeline_id_for
from testsupport.ingest_events import PRODUCER, dataset, error_facet, run_event
from testsupport.warehouse import duckdb_only

URL = "/api/v1/lineage"
EVENTS = "/api/lineage/events"
COVERAGE = "/api/lineage/coverage"
SPARK = "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark"
# As the Spark integration sends them: its own run facets besides the standard ones.
SPARK_RUN_FACETS = {
    "spark_version": {"_producer": SPARK, "spark-version": "3.5.1"},
    "processing_engine": {"_producer": SPARK, "version": "3.5.1", "name": "spark"},
}


def post(client, body, url=URL):
    return client.post(url, data=orjson.dumps(body), content_type="application/json")


def spark_event(event_type: str, run_id: str, when: str) -> dict:
    body = run_event(
        event_type,
        run_id=run_id,
        when=when,
        namespace="spark-prod",
        job="ledger_etl.execute_insert_into_hive_table",
        inputs=[dataset("raw/ledger", "s3://lake", schema={"fields": [{"name": "id", "type": "long"}]})],
        outputs=[dataset("MART.LEDGER", columnLineage={"fields": {}})],
        run_facets=dict(SPARK_RUN_FACETS),
        job_facets={"jobType": {"processingType": "BATCH", "integration": "SPARK", "jobType": "SQL_JOB"}},
    )
    body["producer"] = SPARK
    body["outputs"][0]["outputFacets"] = {"outputStatistics": {"rowCount": 12, "size": 2048}}
    return body


def test_every_accepted_event_is_kept_as_received_and_listed(client_for, operator, viewer, warehouse):
    writer, reader = client_for(operator), client_for(viewer)
    run_id, other = str(uuid.uuid4()), str(uuid.uuid4())
    start = spark_event("START", run_id, "2026-11-20T10:00:00Z")
    fail = spark_event("FAIL", run_id, "2026-11-20T10:03:00.123456789Z")  # Java's nanoseconds
    fail["run"]["facets"].update(error_facet("org.apache.spark.SparkException: Job aborted"))
    fail["run"]["facets"]["unknownVendorFacet"] = {"nested": [1, 2.5, None, "ü", {"deep": True}]}
    assert post(writer, start).status_code == 200
    assert post(writer, [fail, run_event("COMPLETE", run_id=other)], url=URL + "/batch").status_code == 200
    invalid = run_event("START")
    del invalid["producer"]
    assert post(writer, invalid).status_code == 400  # refused: not kept

    page = reader.get(EVENTS, {"run_id": run_id.upper()}).json()
    assert (page["total"], page["offset"], page["limit"]) == (2, 0, 50)
    newest, oldest = page["items"]
    assert newest["event"] == fail and oldest["event"] == start  # every facet, mapped or not
    assert (newest["event_type"], newest["kind"], newest["producer"]) == ("FAIL", "run", SPARK)
    assert newest["pipeline_id"] == pipeline_id_for("spark-prod", "ledger_etl.execute_insert_into_hive_table")
    assert (newest["job_namespace"], newest["run_id"]) == ("spark-prod", run_id)
    assert newest["event_time"] == "2026-11-20T10:03:00.123456Z"

    by_job = reader.get(
        EVENTS, {"job": "ledger_etl.execute_insert_into_hive_table", "namespace": "spark-prod"}
    )
    assert by_job.json()["total"] == 2
    assert reader.get(EVENTS, {"since": "2026-11-20T10:01:00Z"}).json()["total"] == 1  # the FAIL
    assert reader.get(EVENTS, {"since": "2026-11-20T10:01:00+10:00"}).json()["total"] == 3
    assert reader.get(EVENTS, {"limit": 1, "offset": 2}).json()["items"][0]["event"] == start
    assert reader.get(EVENTS).json()["total"] == 3


def test_replays_are_kept_once_per_delivery(client_for, operator, viewer, warehouse):
    body = run_event("START")
    for _ in range(2):
        assert post(client_for(operator), body).status_code == 200
    assert client_for(viewer).get(EVENTS, {"run_id": body["run"]["runId"]}).json()["total"] == 2
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINE_RUNS")["n"] == 1


def test_coverage_lists_each_producers_facets_and_what_is_mapped(client_for, operator, viewer, warehouse):
    writer = client_for(operator)
    run_id = str(uuid.uuid4())
    assert post(writer, spark_event("START", run_id, "2026-11-20T10:00:00Z")).status_code == 200
    assert post(writer, spark_event("COMPLETE", run_id, "2026-11-20T10:05:00Z")).status_code == 200
    airflow = run_event(
        "FAIL",
        run_facets=error_facet("boom"),
        job_facets={"ownership": {"owners": [{"name": "team:ledger"}]}, "airflow": {"dag": {}}},
    )
    assert post(writer, airflow).status_code == 200

    body = client_for(viewer).get(COVERAGE).json()
    assert body["total"] == 2 and body["retention_days"] == 30
    assert body["mapped_facets"] == {kind: sorted(names) for kind, names in MAPPED.items()}
    by_producer = {item["producer"]: item for item in body["items"]}
    spark = by_producer[SPARK]
    assert (spark["events"], spark["last_event_time"]) == (2, "2026-11-20T10:05:00Z")
    facets = {(f["kind"], f["name"]): (f["events"], f["mapped"]) for f in spark["facets"]}
    assert facets == {
        ("run", "processing_engine"): (2, False),
        ("run", "spark_version"): (2, False),
        ("job", "jobType"): (2, True),
        ("dataset", "schema"): (2, True),
        ("dataset", "columnLineage"): (2, True),
        ("dataset", "outputStatistics"): (2, True),
    }
    assert (spark["mapped"], spark["unmapped"]) == (4, 2)
    af = {(f["kind"], f["name"]): f["mapped"] for f in by_producer[PRODUCER]["facets"]}
    assert af == {("run", "errorMessage"): True, ("job", "ownership"): True, ("job", "airflow"): False}
    assert client_for(viewer).get(COVERAGE, {"since": "2026-11-21T00:00:00Z"}).json()["total"] == 0


def test_the_mapped_facets_are_the_ones_ingest_reads():
    assert MAPPED == {
        "run": {
            "errorMessage",
            "nominalTime",
            "parent",
            "extractionError",
            "spark.exception",
            "spark_exception",
        },
        "job": {"controlTower", "tags", "ownership", "jobType"},
        "dataset": {
            "datasetType",
            "ownership",
            "outputStatistics",
            "dataQualityAssertions",
            "dataQualityMetrics",
            "schema",
            "columnLineage",
            "documentation",
            "lifecycleStateChange",
            "symlinks",
        },  # fmt: skip
    }


@duckdb_only
@pytest.mark.parametrize("path", [EVENTS, COVERAGE])
def test_reads_need_a_login_and_valid_parameters(client_for, anon_client, viewer, warehouse, path):
    assert anon_client.get(path).status_code == 401
    for since in ("yesterday", "2026-11-20", "0001-01-01T00:00:00+23:59", "2026-13-01T00:00:00Z"):
        bad = client_for(viewer).get(path, {"since": since})
        assert bad.status_code == 400
        assert bad.json()["error"]["details"]["parameter"] == "since"
    assert client_for(viewer).get(path, {"limit": 0}).status_code == 400


def test_old_events_are_purged_after_the_retention(client_for, operator, warehouse, settings):
    assert post(client_for(operator), run_event("START")).status_code == 200
    now = datetime.now(UTC).replace(tzinfo=None)
    warehouse.execute("UPDATE LINEAGE_EVENTS SET received_ts = ?", [now - timedelta(days=31)])
    assert post(client_for(operator), run_event("START")).status_code == 200
    raw.purge(warehouse, now)
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"] == 1
    settings.CT_LINEAGE_EVENTS_RETENTION_DAYS = 0
    warehouse.execute("UPDATE LINEAGE_EVENTS SET received_ts = ?", [now - timedelta(days=400)])
    call_command("purge_lineage_events")
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"] == 1
    settings.CT_LINEAGE_EVENTS_RETENTION_DAYS = 30
    call_command("purge_lineage_events")
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"] == 0


def test_ingest_purges_at_most_once_an_hour(settings):
    calls = []
    clock = iter([0.0, 10.0, 3700.0])
    wh = type("W", (), {"execute": lambda self, sql, params: calls.append(params)})()
    now = datetime(2026, 11, 20)
    for _ in range(3):
        raw.purge_now_and_then(wh, now, clock=lambda: next(clock))
    assert calls == [[now - timedelta(days=30)]] * 2


def test_a_warehouse_from_an_earlier_version_gets_the_table_on_first_ingest(client_for, operator, warehouse):
    warehouse.execute("DROP TABLE LINEAGE_EVENTS")
    raw._created.discard(warehouse)
    assert post(client_for(operator), run_event("START")).status_code == 200
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"] == 1
