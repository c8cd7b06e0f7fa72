"""OpenLineage events written the way Airflow, dbt, Spark and Flink producers write them, built with
the openlineage-python client's own classes (so the live tests emit them through the real client)
and as plain dicts (`as_dicts`) for the in-process and HTTP tests.

The estate they describe, all on 2026-11-20:
- Flink streams Kafka `fx.rates` into an S3 path whose symlinks name the Hive table lake.ledger_fx;
- Airflow's finance_daily.load_ledger loads RAW.LEDGER into MART.LEDGER twice: the second run's
  schema adds a column and its column lineage changes (facets that change over time);
- another Airflow task writes MART.LEDGER in a second Snowflake account (same name, other namespace);
- dbt builds MART.LEDGER_SUMMARY from MART.LEDGER (column lineage in the spec 1-0 form);
- Spark reads the Flink output by its path and MART.LEDGER, and overwrites lake.ledger_enriched;
- Airflow's cleanup task drops MART.LEDGER_OLD after another task wrote it.
"""

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset as cl,
)
from openlineage.client.facet_v2 import (
    datasource_dataset,
    documentation_dataset,
    job_type_job,
    lifecycle_state_change_dataset,
    schema_dataset,
    symlinks_dataset,
)
from openlineage.client.serde import Serde

from pipelines_app.ingest.records import dataset_id_for, pipeline_id_for

AIRFLOW = "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0"
DBT = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/dbt"
SPARK = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/spark"
FLINK = "https://github.com/OpenLineage/OpenLineage/tree/1.30.0/integration/flink"

SNOW = "snowflake://acme.ap-southeast-2"
SNOW_US = "snowflake://acme.us-east-1"
KAFKA = "kafka://broker-1.acme:9092"
LAKE = "s3://acme-lake"
HIVE = "hive://metastore.acme:9083"
FX_PATH, ENRICHED_PATH = "/warehouse/lake.db/ledger_fx", "/warehouse/lake.db/ledger_enriched"

RAW_LEDGER, LEDGER, SUMMARY = (
    dataset_id_for(SNOW, n) for n in ("RAW.LEDGER", "MART.LEDGER", "MART.LEDGER_SUMMARY")
)
LEDGER_US = dataset_id_for(SNOW_US, "MART.LEDGER")
LEDGER_OLD = dataset_id_for(SNOW, "MART.LEDGER_OLD")
FX_TABLE, FX_PATH_ID = dataset_id_for(HIVE, "lake.ledger_fx"), dataset_id_for(LAKE, FX_PATH)
ENRICHED = dataset_id_for(HIVE, "lake.ledger_enriched")
RATES = dataset_id_for(KAFKA, "fx.rates")
LOAD = pipeline_id_for("airflow-prod", "finance_daily.load_ledger")
LOAD_US = pipeline_id_for("airflow-prod", "finance_daily.load_ledger_us")
CLEANUP = pipeline_id_for("airflow-prod", "finance_daily.cleanup")
LEGACY = pipeline_id_for("airflow-prod", "finance_daily.load_ledger_legacy")
DBT_SUMMARY = pipeline_id_for("dbt-prod", "analytics.ledger_summary")
SPARK_ENRICH = pipeline_id_for("spark-prod", "ledger_enrich.execute_insert_into_hadoop_fs_relation_command")
FLINK_RATES = pipeline_id_for("flink-prod", "fx_rates_stream")

RUN_IDS = {
    "flink": "0193a0b0-0000-7000-8000-000000000001",
    "load_1": "0193a0b0-0000-7000-8000-000000000002",
    "load_2": "0193a0b0-0000-7000-8000-000000000003",
    "load_us": "0193a0b0-0000-7000-8000-000000000004",
    "dbt": "0193a0b0-0000-7000-8000-000000000005",
    "spark": "0193a0b0-0000-7000-8000-000000000006",
    "legacy": "0193a0b0-0000-7000-8000-000000000007",
    "cleanup": "0193a0b0-0000-7000-8000-000000000008",
}


def at(hhmm: str) -> str:
    return f"2026-11-20T{hhmm}:00.000Z"


def schema(*fields: tuple) -> dict:
    return {
        "schema": schema_dataset.SchemaDatasetFacet(
            fields=[schema_dataset.SchemaDatasetFacetFields(*f) for f in fields]
        )
    }


def lineage(**columns: list[tuple]) -> dict:
    """columnLineage, spec 1-2: {column: [(namespace, name, field, type, subtype), ...]}."""
    fields = {
        column: cl.Fields(
            inputFields=[
                cl.InputField(ns, name, field, transformations=[cl.Transformation(type=t, subtype=sub)])
                for ns, name, field, t, sub in sources
            ]
        )
        for column, sources in columns.items()
    }
    return {"columnLineage": cl.ColumnLineageDatasetFacet(fields=fields)}


def symlink(namespace: str, name: str) -> dict:
    ident = symlinks_dataset.Identifier(namespace=namespace, name=name, type="TABLE")
    return {"symlinks": symlinks_dataset.SymlinksDatasetFacet(identifiers=[ident])}


def lifecycle(state: str) -> dict:
    change = lifecycle_state_change_dataset.LifecycleStateChange(state)
    return {"lifecycleStateChange": lifecycle_state_change_dataset.LifecycleStateChangeDatasetFacet(change)}


def run_event(producer, state, run_key, namespace, job, when, integration, inputs=(), outputs=()) -> RunEvent:
    job_type = job_type_job.JobTypeJobFacet(processingType="BATCH", integration=integration, jobType="TASK")
    return RunEvent(
        eventType=state,
        eventTime=when,
        run=Run(runId=RUN_IDS[run_key]),
        job=Job(namespace=namespace, name=job, facets={"jobType": job_type}),
        inputs=[InputDataset(namespace=ns, name=n, facets=f) for ns, n, f in inputs],
        outputs=[OutputDataset(namespace=ns, name=n, facets=f) for ns, n, f in outputs],
        producer=producer,
    )


RAW_SCHEMA = schema(("id", "NUMBER"), ("amount", "NUMBER"), ("status", "VARCHAR"))
LEDGER_V1 = {
    **schema(("id", "NUMBER", "ledger line"), ("amount", "NUMBER", "in cents")),
    **lineage(amount=[(SNOW, "RAW.LEDGER", "amount", "DIRECT", "IDENTITY")]),
}
LEDGER_V2 = {
    **schema(
        ("id", "NUMBER", "ledger line"), ("amount_aud", "NUMBER(12,2)", "in dollars"), ("currency", "VARCHAR")
    ),
    **lineage(
        amount_aud=[
            (SNOW, "RAW.LEDGER", "amount", "DIRECT", "TRANSFORMATION"),
            (SNOW, "RAW.LEDGER", "status", "INDIRECT", "FILTER"),
        ]
    ),
    "documentation": documentation_dataset.DocumentationDatasetFacet(description="Posted ledger lines, AUD."),
}
# dbt's column lineage as integrations wrote it before spec 1-2: the transformation on the field.
SUMMARY_FACETS = {
    **schema(("day", "DATE"), ("total_aud", "NUMBER(14,2)", "sum of amount_aud")),
    "columnLineage": {
        "_producer": DBT,
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ColumnLineageDatasetFacet.json",
        "fields": {
            "total_aud": {
                "inputFields": [{"namespace": SNOW, "name": "MART.LEDGER", "field": "amount_aud"}],
                "transformationDescription": "sum(amount_aud)",
                "transformationType": "AGGREGATION",
            }
        },
    },
    "dataSource": datasource_dataset.DatasourceDatasetFacet(
        name="acme", uri="snowflake://acme.ap-southeast-2"
    ),
}
FX = (
    LAKE,
    FX_PATH,
    {**symlink(HIVE, "lake.ledger_fx"), **schema(("currency", "STRING"), ("rate", "DOUBLE"))},
)
ENRICHED_OUT = (
    LAKE,
    ENRICHED_PATH,
    {
        **symlink(HIVE, "lake.ledger_enriched"),
        **lifecycle("OVERWRITE"),
        **lineage(
            amount_fx=[
                (SNOW, "MART.LEDGER", "amount_aud", "DIRECT", "TRANSFORMATION"),
                (LAKE, FX_PATH, "rate", "DIRECT", "TRANSFORMATION"),
            ]
        ),
    },
)


def events() -> list[RunEvent]:
    """Every event of the estate, in the order a producer would send them."""
    c, s, r = RunState.COMPLETE, RunState.START, RunState.RUNNING
    load, air, flink = "finance_daily.load_ledger", "airflow-prod", "fx_rates_stream"
    raw, ledger = (SNOW, "RAW.LEDGER", RAW_SCHEMA), (SNOW, "MART.LEDGER", {})
    spark_job = "ledger_enrich.execute_insert_into_hadoop_fs_relation_command"
    return [
        run_event(FLINK, s, "flink", "flink-prod", flink, at("08:00"), "FLINK",
                  [(KAFKA, "fx.rates", schema(("currency", "STRING"), ("rate", "DOUBLE")))], [FX]),
        run_event(FLINK, r, "flink", "flink-prod", flink, at("08:05"), "FLINK", [], [FX]),
        run_event(AIRFLOW, s, "load_1", air, load, at("09:00"), "AIRFLOW", [raw], [ledger]),
        run_event(AIRFLOW, c, "load_1", air, load, at("09:10"), "AIRFLOW", [raw],
                  [(SNOW, "MART.LEDGER", LEDGER_V1)]),
        run_event(AIRFLOW, c, "legacy", air, "finance_daily.load_ledger_legacy", at("09:30"), "AIRFLOW",
                  [raw], [(SNOW, "MART.LEDGER_OLD", {})]),
        run_event(AIRFLOW, c, "load_us", air, "finance_daily.load_ledger_us", at("10:00"), "AIRFLOW",
                  [], [(SNOW_US, "MART.LEDGER", schema(("id", "NUMBER")))]),
        run_event(AIRFLOW, s, "load_2", air, load, at("11:00"), "AIRFLOW", [raw], [ledger]),
        run_event(AIRFLOW, c, "load_2", air, load, at("11:10"), "AIRFLOW", [raw],
                  [(SNOW, "MART.LEDGER", LEDGER_V2)]),
        run_event(DBT, c, "dbt", "dbt-prod", "analytics.ledger_summary", at("12:00"), "DBT",
                  [ledger], [(SNOW, "MART.LEDGER_SUMMARY", SUMMARY_FACETS)]),
        run_event(SPARK, c, "spark", "spark-prod", spark_job, at("12:30"), "SPARK",
                  [FX, ledger], [ENRICHED_OUT]),
        run_event(AIRFLOW, c, "cleanup", air, "finance_daily.cleanup", at("13:00"), "AIRFLOW",
                  [], [(SNOW, "MART.LEDGER_OLD", lifecycle("DROP"))]),
    ]  # fmt: skip


def as_dicts(items: list[RunEvent]) -> list[dict]:
    return [Serde.to_dict(e) for e in items]
