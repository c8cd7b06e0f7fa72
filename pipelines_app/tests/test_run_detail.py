"""GET /api/runs/{run_id} over events written the way Airflow, dbt, Spark and Flink producers write
them, sent by the real openlineage-python client to a live server, on DuckDB and on the Snowflake
emulator: parent / root / child runs, the state history, errors from every producer's facets, dbt
data-quality assertions (and their incident), metrics and unmapped facets kept raw, streaming jobs,
producer clocks ahead, and out-of-order and replayed deliveries."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset as dqa,
)
from openlineage.client.facet_v2 import (
    data_quality_metrics_input_dataset as dqm,
)
from openlineage.client.facet_v2 import (
    error_message_run,
    extraction_error_run,
    job_type_job,
    parent_run,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.http import HttpConfig, HttpTransport

from pipelines_app.ingest.records import pipeline_id_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SNOW = "snowflake://acme.ap-southeast-2"
TASK = "shop_daily.dbt_build"
SPARK_TRACE = (
    "org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table `raw`.`orders` "
    "cannot be found\n"
    "\tat org.apache.spark.sql.catalyst.analysis.package$AnalysisErrorAt.tableNotFound(package.scala:87)"
)


def at(minutes_ago: float, base: datetime | None = None) -> str:
    when = (base or datetime.now(UTC)) - timedelta(minutes=minutes_ago)
    return when.isoformat().replace("+00:00", "Z")


def client(live_server, user) -> OpenLineageClient:
    config = HttpConfig.from_dict(
        {"url": live_server.url, "auth": {"type": "api_key", "apiKey": user.api_key}}
    )
    return OpenLineageClient(transport=HttpTransport(config))


def job_type(integration: str, job_type: str, processing: str = "BATCH") -> dict:
    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType=processing, integration=integration, jobType=job_type
        )
    }


def parent(run_id: str, namespace: str, name: str, root: tuple[str, str, str] | None = None):
    root_facet = None
    if root:
        root_facet = parent_run.Root(
            run=parent_run.RootRun(runId=root[0]), job=parent_run.RootJob(namespace=root[1], name=root[2])
        )
    facet = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=run_id), job=parent_run.Job(namespace=namespace, name=name), root=root_facet
    )
    return {"parent": facet}


def ev(state, run_id, namespace, name, when, *, run_facets=None, job_facets=None, inputs=(), outputs=()):
    return RunEvent(
        eventType=state,
        eventTime=when,
        run=Run(runId=run_id, facets=run_facets or {}),
        job=Job(namespace=namespace, name=name, facets=job_facets or {}),
        inputs=list(inputs),
        outputs=list(outputs),
        producer="https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/dbt",
    )


def get(live_server, user, path: str, status: int = 200) -> dict:
    response = requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Token {user.api_key}"}, timeout=30
    )
    assert response.status_code == status, response.text
    return response.json()


def dbt_events(
    invocation: str, model: str, dag_run: str, *, failed_test: bool = True, base: datetime | None = None
) -> list[RunEvent]:
    """An Airflow task running `dbt-ol build`: the dbt invocation's parent is the Airflow task run
    (no root sent), a model's parent the invocation, with its tests as assertions on its input."""
    task_parent = parent(dag_run, "airflow-prod", "shop_daily")
    model_parent = parent(invocation, "dbt-prod", "shop.build", root=(dag_run, "airflow-prod", "shop_daily"))
    checked = InputDataset(
        namespace=SNOW,
        name="SHOP.MART.ORDERS",
        facets={
            "dataQualityAssertions": dqa.DataQualityAssertionsDatasetFacet(
                assertions=[
                    dqa.Assertion(assertion="not_null", success=not failed_test, column="order_id"),
                    dqa.Assertion(assertion="unique", success=True, column="order_id"),
                ]
            ),
            "dbtTestSeverity": {
                "_producer": "x",
                "_schemaURL": "https://example.com/x.json",
                "level": "error",
            },
        },
        inputFacets={
            "dataQualityMetrics": dqm.DataQualityMetricsInputDatasetFacet(
                columnMetrics={"order_id": dqm.ColumnMetrics(nullCount=3, distinctCount=997)}, rowCount=1000
            )
        },
    )
    extraction = extraction_error_run.ExtractionErrorRunFacet(
        totalTasks=2,
        failedTasks=1,
        errors=[
            extraction_error_run.Error(
                errorMessage="Unable to parse compiled SQL of model orders", task="model.shop.orders"
            )
        ],
    )
    dbt = job_type("DBT", "JOB")
    return [
        ev(
            RunState.START,
            invocation,
            "dbt-prod",
            "shop.build",
            at(50, base),
            run_facets=task_parent,
            job_facets=dbt,
        ),
        ev(
            RunState.START,
            model,
            "dbt-prod",
            "shop.orders",
            at(45, base),
            run_facets=model_parent,
            job_facets=job_type("DBT", "MODEL"),
        ),
        ev(
            RunState.COMPLETE,
            model,
            "dbt-prod",
            "shop.orders",
            at(40, base),
            run_facets={**model_parent, "extractionError": extraction},
            job_facets=job_type("DBT", "MODEL"),
            inputs=[checked],
            outputs=[OutputDataset(namespace=SNOW, name="SHOP.MART.ORDERS")],
        ),
        ev(
            RunState.COMPLETE,
            invocation,
            "dbt-prod",
            "shop.build",
            at(30, base),
            run_facets=task_parent,
            job_facets=dbt,
        ),
    ]


def airflow_events(dag_run: str, task: str) -> list[RunEvent]:
    airflow, tf = job_type("AIRFLOW", "DAG"), job_type("AIRFLOW", "TASK")
    under_dag = parent(dag_run, "airflow-prod", "shop_daily")
    return [
        ev(RunState.START, dag_run, "airflow-prod", "shop_daily", at(60), job_facets=airflow),
        ev(RunState.START, task, "airflow-prod", TASK, at(55), run_facets=under_dag, job_facets=tf),
        ev(RunState.COMPLETE, task, "airflow-prod", TASK, at(25), run_facets=under_dag, job_facets=tf),
        ev(RunState.COMPLETE, dag_run, "airflow-prod", "shop_daily", at(20), job_facets=airflow),
    ]  # fmt: skip


def test_a_dbt_build_under_airflow_links_parents_roots_and_children(live_server, operator, viewer, warehouse):
    dag_run, task, invocation, model = (str(uuid.uuid4()) for _ in range(4))
    ol = client(live_server, operator)
    for event in airflow_events(dag_run, task) + dbt_events(invocation, model, dag_run=task):
        ol.emit(event)

    run = get(live_server, viewer, f"/api/runs/{model}")
    assert (run["status"], run["pipeline_id"], run["pipeline_name"]) == (
        "SUCCESS",
        pipeline_id_for("dbt-prod", "shop.orders"),
        "shop.orders",
    )
    assert (run["parent_run_id"], run["parent_pipeline_id"], run["parent_job"]) == (
        invocation,
        pipeline_id_for("dbt-prod", "shop.build"),
        {"namespace": "dbt-prod", "name": "shop.build"},
    )
    # the model's facet names the task as root (as dbt-ol does under Airflow)
    assert (run["root_run_id"], run["root_pipeline_id"]) == (
        task,
        pipeline_id_for("airflow-prod", "shop_daily"),
    )
    assert [(s["event_type"], s["status"]) for s in run["states"]] == [
        ("START", "RUNNING"),
        ("COMPLETE", "SUCCESS"),
    ]

    invocation_run = get(live_server, viewer, f"/api/runs/{invocation}")
    assert [c["run_id"] for c in invocation_run["children"]] == [model]
    assert invocation_run["children_total"] == 1
    # no root in the invocation's facet: the top of the stored parent chain is the DAG run
    assert (invocation_run["parent_run_id"], invocation_run["root_run_id"]) == (task, dag_run)
    pipeline = get(live_server, viewer, f"/api/pipelines/{pipeline_id_for('dbt-prod', 'shop.orders')}")
    assert [(p["parent_pipeline_id"], p["parent_job"]) for p in pipeline["parent_pipelines"]] == [
        (pipeline_id_for("dbt-prod", "shop.build"), "shop.build")
    ]
    dag = get(live_server, viewer, f"/api/runs/{dag_run}")
    assert [c["run_id"] for c in dag["children"]] == [task] and dag["parent_run_id"] is None


def test_dbt_errors_assertions_metrics_and_unknown_facets_show_on_the_run(
    live_server, operator, viewer, warehouse
):
    dag_run, invocation, model = (str(uuid.uuid4()) for _ in range(3))
    ol = client(live_server, operator)
    for event in dbt_events(invocation, model, dag_run):
        ol.emit(event)

    run = get(live_server, viewer, f"/api/runs/{model}")
    assert [(e["facet"], e["message"], e["task"]) for e in run["errors"]] == [
        ("extractionError", "Unable to parse compiled SQL of model orders", "model.shop.orders")
    ]
    assertions = {(a["assertion"], a["column"], a["success"]) for a in run["data_quality"]["assertions"]}
    assert assertions == {("not_null", "order_id", False), ("unique", "order_id", True)}
    (metrics,) = run["data_quality"]["metrics"]
    assert metrics["dataset_name"] == "SHOP.MART.ORDERS"
    assert metrics["metrics"]["columnMetrics"]["order_id"]["nullCount"] == 3
    unmapped = {(f["facet"], f["where"], f["dataset"]) for f in run["unmapped_facets"]}
    assert ("dbtTestSeverity", "facets", f"{SNOW}/SHOP.MART.ORDERS") in unmapped
    assert not {name for name, *_ in unmapped} & {
        "parent",
        "extractionError",
        "dataQualityAssertions",
        "jobType",
    }

    incidents = get(live_server, viewer, "/api/incidents?kind=dq_assertion_failed")["items"]
    (incident,) = [i for i in incidents if i["run_id"] == model]
    assert incident["incident_id"] == f"dq:{model}"
    assert incident["reasons"] == ["not_null(order_id) on SHOP.MART.ORDERS"]
    assert "not_null(order_id)" in incident["error_message"]
    assert all(i["kind"] == "dq_assertion_failed" for i in incidents)
    assert get(live_server, viewer, "/api/incidents?kind=run_failed")["total"] == 0
    explained = get(live_server, viewer, f"/api/explain/run/{model}")
    facts = {f["field"]: f["value"] for f in explained["facts_used"]}
    assert facts["dq.failed_assertion[0]"] == "not_null on SHOP.MART.ORDERS.order_id"
    assert facts["error.reported[0].facet"] == "extractionError"


def test_spark_errors_reach_the_run_the_incidents_and_triage(live_server, operator, viewer, warehouse):
    with_message, exception_only = str(uuid.uuid4()), str(uuid.uuid4())
    ol = client(live_server, operator)
    spark = job_type("SPARK", "JOB")
    error = error_message_run.ErrorMessageRunFacet(
        message="[TABLE_OR_VIEW_NOT_FOUND] The table `raw`.`orders` cannot be found",
        programmingLanguage="JAVA",
        stackTrace=SPARK_TRACE,
    )
    exception = {
        "_producer": "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark",
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/SparkException.json",
        "exceptionClass": "org.apache.spark.SparkException",
        "message": "Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 times",
        "stackTrace": "org.apache.spark.SparkException: Job aborted\n\tat o.a.s.scheduler.DAGScheduler",
    }
    ol.emit(ev(RunState.START, with_message, "spark-prod", "orders_etl", at(30), job_facets=spark))
    ol.emit(
        ev(
            RunState.FAIL,
            with_message,
            "spark-prod",
            "orders_etl",
            at(20),
            job_facets=spark,
            run_facets={"errorMessage": error},
        )
    )
    exception_facets = {"spark.exception": exception}
    ol.emit(
        ev(
            RunState.FAIL,
            exception_only,
            "spark-prod",
            "orders_agg",
            at(10),
            job_facets=spark,
            run_facets=exception_facets,
        )
    )

    run = get(live_server, viewer, f"/api/runs/{with_message}")
    (reported,) = run["errors"]
    assert (reported["facet"], reported["language"], reported["stack_trace"]) == (
        "errorMessage",
        "JAVA",
        SPARK_TRACE,
    )
    assert run["error_code"] == "AnalysisException"
    other = get(live_server, viewer, f"/api/runs/{exception_only}")
    aborted = "Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 times"
    assert other["error_message"] == f"org.apache.spark.SparkException: {aborted}"
    assert other["error_code"] == "SparkException"
    assert other["errors"][0]["facet"] == "spark.exception"
    failed = {i["run_id"]: i for i in get(live_server, viewer, "/api/incidents?kind=run_failed")["items"]}
    assert failed[exception_only]["error_message"] == other["error_message"]

    explained = get(live_server, viewer, f"/api/explain/run/{with_message}")
    facts = {f["field"]: f["value"] for f in explained["facts_used"]}
    assert facts["error.reported[0].language"] == "JAVA"
    assert facts["error.reported[0].stack_trace"].startswith("org.apache.spark.sql.AnalysisException")


def test_out_of_order_and_replayed_deliveries_end_in_the_same_run(live_server, operator, viewer, warehouse):
    base = datetime.now(UTC)

    def deliver(order):
        ids = {"dag": str(uuid.uuid4()), "inv": str(uuid.uuid4()), "model": str(uuid.uuid4())}
        events = dbt_events(ids["inv"], ids["model"], ids["dag"], base=base)
        ol = client(live_server, operator)
        for event in order(events):
            ol.emit(event)
        return ids

    def seen(ids: dict) -> dict:
        run = get(live_server, viewer, f"/api/runs/{ids['model']}")
        text = repr({k: v for k, v in run.items() if k not in ("unmapped_facets",)})
        for name, value in ids.items():
            text = text.replace(value, name)
        return text

    in_order = deliver(lambda events: events)
    reversed_replayed = deliver(lambda events: events[::-1] + events[1:3] + events[::-1])
    assert seen(reversed_replayed) == seen(in_order)
    states = warehouse.fetch_one(
        "SELECT COUNT(*) AS n FROM RUN_STATES WHERE run_id = ?", [reversed_replayed["model"]]
    )
    assert states["n"] == 2


def test_a_streaming_job_stays_running_without_false_staleness(live_server, operator, viewer, warehouse):
    ol = client(live_server, operator)
    stream, batch = str(uuid.uuid4()), str(uuid.uuid4())
    for run_id, name, processing in (
        (stream, "orders_stream", "STREAMING"),
        (batch, "orders_batch", "BATCH"),
    ):
        facets = job_type("FLINK", "JOB", processing)
        ol.emit(ev(RunState.START, run_id, "flink-prod", name, at(600), job_facets=facets))
        ol.emit(ev(RunState.RUNNING, run_id, "flink-prod", name, at(5), job_facets=facets))
    warehouse.execute(
        "UPDATE PIPELINES SET freshness_sla_minutes = 60, max_duration_minutes = 120, created_ts = ?",
        [datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)],
    )
    streaming = get(
        live_server, viewer, f"/api/pipelines/{pipeline_id_for('flink-prod', 'orders_stream')}/sla"
    )
    assert (streaming["status"], streaming["reasons"]) == ("ok", [])
    assert streaming["freshness_lag_minutes"] < 10
    batch_sla = get(
        live_server, viewer, f"/api/pipelines/{pipeline_id_for('flink-prod', 'orders_batch')}/sla"
    )
    assert batch_sla["status"] == "breached"
    assert {"freshness_breached", "running_over_max_duration"} <= set(batch_sla["reasons"])
    run = get(live_server, viewer, f"/api/runs/{stream}")
    assert run["status"] == "RUNNING" and [s["event_type"] for s in run["states"]] == ["START", "RUNNING"]


def test_an_event_from_a_clock_ahead_is_clamped_and_listed_today(live_server, operator, viewer, warehouse):
    run_id = str(uuid.uuid4())
    ahead = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    ol = client(live_server, operator)
    ol.emit(ev(RunState.START, run_id, "airflow-prod", "skewed", at(10)))
    ol.emit(ev(RunState.FAIL, run_id, "airflow-prod", "skewed", ahead.isoformat().replace("+00:00", "Z")))

    incidents = {i["run_id"] for i in get(live_server, viewer, "/api/incidents?kind=run_failed")["items"]}
    assert run_id in incidents
    run = get(live_server, viewer, f"/api/runs/{run_id}")
    fail = run["states"][-1]
    assert fail["event_type"] == "FAIL" and fail["clock_skew"]["sent_time"] == ahead.isoformat().replace(
        "+00:00", "Z"
    )
    assert fail["clock_skew"]["ahead_seconds"] > 3 * 3600 - 120
    assert datetime.fromisoformat(run["end_ts"]) <= datetime.now(UTC)
    raw = get(live_server, viewer, f"/api/lineage/events?run_id={run_id}")["items"]
    assert max(e["event_time"] for e in raw) == ahead.isoformat().replace("+00:00", "Z")  # kept as sent


def test_an_unknown_run_is_404_and_reading_needs_a_login(live_server, viewer, warehouse):
    missing = get(live_server, viewer, f"/api/runs/{uuid.uuid4()}", status=404)
    assert missing["error"]["code"] == "not_found"
    response = requests.get(f"{live_server.url}/api/runs/{uuid.uuid4()}", timeout=10)
    assert response.status_code == 401
    bad = get(live_server, viewer, f"/api/runs/{uuid.uuid4()}?children_limit=0", status=400)
    assert bad["error"]["code"] in ("invalid_parameter", "invalid_request")


def test_a_batch_of_a_dbt_build_replayed_in_reverse_keeps_one_row_per_state(
    live_server, operator, viewer, warehouse
):
    """Batches write the run details through a stage (16 rows and more): the same rows as events one
    by one, and a replayed batch adds none."""
    base, invocation, dag_run = datetime.now(UTC), str(uuid.uuid4()), str(uuid.uuid4())
    models = [str(uuid.uuid4()) for _ in range(9)]
    events = [Serde.to_dict(e) for m in models for e in dbt_events(invocation, m, dag_run, base=base)[1:3]]
    url, auth = f"{live_server.url}/api/v1/lineage/batch", {"Authorization": f"Bearer {operator.api_key}"}
    for body in (events, events[::-1]):
        response = requests.post(url, json=body, headers=auth, timeout=60)
        assert response.status_code == 200 and response.json()["accepted"] == len(events), response.text

    counts = warehouse.fetch_all(
        "SELECT COUNT(*) AS n FROM RUN_STATES UNION ALL SELECT COUNT(*) FROM RUN_ASSERTIONS "
        "UNION ALL SELECT COUNT(*) FROM RUN_ERRORS UNION ALL SELECT COUNT(*) FROM RUN_PARENTS"
    )
    assert sorted(r["n"] for r in counts) == sorted([18, 18, 9, 18])
    run = get(live_server, viewer, f"/api/runs/{models[4]}")
    assert [s["event_type"] for s in run["states"]] == ["START", "COMPLETE"]
    assert run["parent_run_id"] == invocation and run["root_run_id"] == dag_run
    assert {(a["assertion"], a["success"]) for a in run["data_quality"]["assertions"]} == {
        ("not_null", False),
        ("unique", True),
    }
    assert run["errors"][0]["facet"] == "extractionError"
