"""The vocabulary of the demo estates: the shared core deployed in every cloud and each cloud's own
teams and domains, platforms, schedules and the failure catalogue (Snowflake-style error codes and
messages)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """What one part of an estate looks like: the shared core, or one cloud's own pipelines."""

    default_pipelines: int  # the core: its full size; a cloud: its estate's size, core included
    pipeline_prefix: str  # ids are prefix + number: "p2" in the core, "aws-p61" in a cloud
    pipeline_namespace: str  # PIPELINES.namespace (the orchestrator's, as OpenLineage names jobs)
    dataset_prefix: str  # before the ids of the datasets it writes, so no two clouds' share one
    teams: tuple[tuple[str, str, int], ...]  # (team, domain, weight)
    platforms: tuple[tuple[str, int], ...]
    namespace: str  # warehouse namespace of tables
    bi_namespace: str  # where dashboards and reports live
    runbook_base: str
    systems: tuple[str, ...]  # upstream source systems feeding the ingest layer
    expired_message: str  # how an expired credential reads on this cloud


# Deployed in both clouds with the same ids (p1..p60), rows and lineage: the spine (p2, the 5-minute
# critical ingest, and its deep path to a dashboard) and the group's shared pipelines. A cloud runs
# them on its own schedule phase, volume and failures, and puts its own dashboards on their tables.
CORE = Profile(
    default_pipelines=60,
    pipeline_prefix="p",
    pipeline_namespace="airflow://bhp-platform",
    dataset_prefix="",
    teams=(
        ("fleet-analytics", "mining-operations", 12),
        ("finance-data", "finance", 10),
        ("data-platform", "platform", 7),
        ("supply-chain", "logistics", 7),
        ("hse-reporting", "health-safety", 6),
        ("commercial-analytics", "commercial", 6),
        ("ml-engineering", "data-science", 4),
    ),
    platforms=(("airflow", 40), ("dbt", 40), ("databricks", 20)),
    namespace="snowflake://bhp-platform",
    bi_namespace="",  # consumer assets belong to a cloud's BI tool, even over core tables
    runbook_base="https://runbooks.bhp-lab.example/platform",
    systems=("sap-s4", "dispatch-fms", "pi-historian", "workday"),
    expired_message="",  # a run fails with its cloud's message
)

PROFILES = {
    "aws": Profile(
        default_pipelines=300,
        pipeline_prefix="aws-p",
        pipeline_namespace="airflow://bhp-aws",
        dataset_prefix="aws.",
        teams=(
            ("fleet-analytics", "mining-operations", 14),
            ("ore-processing", "processing", 10),
            ("rail-logistics", "logistics", 9),
            ("port-operations", "logistics", 6),
            ("asset-maintenance", "maintenance", 9),
            ("hse-reporting", "health-safety", 6),
            ("finance-data", "finance", 11),
            ("commercial-analytics", "commercial", 8),
            ("people-analytics", "people", 4),
            ("data-platform", "platform", 8),
            ("ml-engineering", "data-science", 7),
            ("geoscience", "exploration", 8),
        ),
        platforms=(
            ("airflow", 34),
            ("dbt", 26),
            ("glue", 14),
            ("emr-spark", 10),
            ("step-functions", 8),
            ("lambda", 8),
        ),
        namespace="snowflake://bhp-aws.ap-southeast-2",
        bi_namespace="tableau://bhp-aws",
        runbook_base="https://runbooks.bhp-lab.example/aws",
        systems=("sap-s4", "dispatch-fms", "pi-historian", "maximo", "s3-landing", "workday"),
        expired_message="ExpiredToken: The security token included in the request is expired (role {role})",
    ),
    "azure": Profile(
        default_pipelines=220,
        pipeline_prefix="azure-p",
        pipeline_namespace="adf://bhp-azure",
        dataset_prefix="azure.",
        teams=(
            ("copper-sa-operations", "mining-operations", 12),
            ("concentrator-analytics", "processing", 9),
            ("supply-chain", "logistics", 12),
            ("procurement", "procurement", 10),
            ("finance-data", "finance", 8),
            ("energy-emissions", "sustainability", 10),
            ("workforce", "people", 7),
            ("it-platform", "platform", 9),
            ("digital-twin", "data-science", 8),
            ("customer-sales", "commercial", 7),
        ),
        platforms=(
            ("adf", 32),
            ("databricks", 28),
            ("dbt", 18),
            ("synapse", 10),
            ("airflow", 7),
            ("functions", 5),
        ),
        namespace="snowflake://bhp-azure.australia-east",
        bi_namespace="powerbi://bhp-azure",
        runbook_base="https://confluence.bhp-lab.example/display/DATAOPS",
        systems=("sap-ecc", "scada-osisoft", "ariba", "dynamics-crm", "adls-landing", "successfactors"),
        expired_message="AADSTS7000222: The provided client secret keys for app '{role}' are expired.",
    ),
}

SUBJECTS = {
    "mining-operations": (
        "haul_cycles",
        "truck_payloads",
        "shovel_loads",
        "dispatch_events",
        "fuel_burn",
        "drill_logs",
    ),
    "processing": (
        "mill_throughput",
        "flotation_recovery",
        "assay_results",
        "crusher_downtime",
        "reagent_usage",
    ),
    "logistics": (
        "rail_consists",
        "train_movements",
        "shipping_nominations",
        "stockpile_levels",
        "port_berths",
    ),
    "maintenance": (
        "work_orders",
        "component_changes",
        "vibration_readings",
        "tyre_pressure",
        "oil_analysis",
    ),
    "health-safety": ("incidents", "hazard_reports", "fatigue_alerts", "dust_monitoring"),
    "finance": ("gl_journals", "cost_centres", "capex_projects", "accruals", "fx_rates", "invoices"),
    "commercial": ("sales_orders", "price_index", "cargo_quality", "customer_contracts"),
    "people": ("headcount", "rosters", "training_records", "leave_balances"),
    "platform": ("query_history", "warehouse_metering", "access_reviews", "data_quality_results"),
    "data-science": ("feature_store", "model_scores", "training_sets", "drift_metrics"),
    "exploration": ("drillhole_assays", "block_model", "geophysics_surveys", "tenements"),
    "procurement": ("purchase_orders", "supplier_master", "contracts", "goods_receipts"),
    "sustainability": ("scope1_emissions", "energy_meters", "water_balance", "diesel_consumption"),
}

LAYERS = (  # (schema, verbs, tag) per layer: ingest, staging, core, marts
    ("raw", ("ingest", "extract", "cdc_load"), "bronze"),
    ("stg", ("stage", "clean", "dedupe"), "silver"),
    ("core", ("model", "conform", "build"), "gold"),
    ("mart", ("aggregate", "publish", "features"), "gold"),
)
LAYER_WEIGHTS = (30, 30, 25, 15)

SCHEDULES = (  # (cron, interval minutes, weight)
    ("*/5 * * * *", 5, 2),
    ("*/15 * * * *", 15, 8),
    ("*/30 * * * *", 30, 4),
    ("0 * * * *", 60, 34),
    ("0 */4 * * *", 240, 16),
    ("30 2 * * *", 1440, 32),
    ("0 6 * * 1", 10080, 4),
)
CRITICALITIES = (("critical", 10), ("high", 25), ("medium", 40), ("low", 25))
WAREHOUSES = (
    ("INGEST_WH", 1.0),
    ("TRANSFORM_WH", 4.0),
    ("ANALYTICS_WH", 2.0),
    ("ML_WH", 8.0),
)  # credits/hour
AUD_PER_CREDIT = 4.85
EXTRA_TAGS = ("pii", "sox", "regulatory", "customer-facing", "cost-sensitive", "realtime")
PEOPLE = (
    "ava.nguyen", "liam.oconnor", "mia.patel", "noah.smith", "zoe.williams", "jack.brown", "isla.chen",
    "oliver.jones", "chloe.taylor", "lucas.martin", "ruby.wilson", "ethan.kumar", "grace.lee", "henry.walker",
)  # fmt: skip
CONSUMER_KINDS = (("dashboard", 55), ("report", 30), ("ml_model", 15))
CONSUMER_NOUNS = {
    "dashboard": ("overview", "daily_performance", "shift_kpis", "exceptions", "trend_monitor"),
    "report": ("monthly_pack", "board_report", "regulatory_return", "weekly_summary"),
    "ml_model": ("failure_predictor", "demand_forecast", "anomaly_detector", "grade_estimator"),
}

# (error_code, kind, weight, message template). Placeholders are filled per failure.
ERRORS = (
    ("002003", "object_missing", 8,
     "SQL compilation error: Object '{table}' does not exist or not authorized."),
    ("003001", "permission_denied", 8,
     "SQL access control error: Insufficient privileges to operate on table '{table}'."),
    ("000630", "timeout", 15,
     "Statement reached its statement or warehouse timeout of {timeout} second(s) and was canceled."),
    ("300005", "out_of_memory", 8,
     "Processing aborted: query spilled {gb} GB to remote storage and ran out of memory on warehouse {wh}."),
    ("000904", "schema_drift", 7,
     "SQL compilation error: error line 1 at position {pos} invalid identifier '{column}'"),
    ("100038", "schema_drift", 5, "Numeric value '{bad}' is not recognized"),
    ("UPSTREAM_MISSING", "upstream_missing", 10,
     "Upstream data missing: partition {day} of {upstream} not found after {checks} sensor checks"),
    ("UPSTREAM_LATE", "upstream_late", 6,
     "Sensor timed out waiting for {upstream} (last update {hours}h ago)"),
    ("100090", "duplicate_key", 6, 'Duplicate row detected during DML action Row Values: ["{key}", {num}]'),
    ("NET_CONN_REFUSED", "network", 9,
     "Connection refused: {system}.internal:{port} (source system {system}) after 3 retries"),
    ("000613", "quota", 3,
     "Warehouse '{wh}' cannot be resumed because resource monitor 'RM_{team}' has exceeded its quota."),
    ("390114", "expired_credentials", 5, "{expired}"),
    ("UNKNOWN", "unknown", 4, "Task exited with return code -9 (process killed); no error output captured"),
)  # fmt: skip
USUAL = {e[1] for e in ERRORS} - {"quota", "unknown"}  # what a pipeline's own recurring failures can be
QUOTA = next(i for i, e in enumerate(ERRORS) if e[1] == "quota")
ABORTED = ("000604", "SQL execution canceled by user or upstream cancellation")
BAD_RUNBOOKS = ("TODO", "tbd", "confluence/page/{name}", "see team wiki")
COLUMNS = ("LOAD_TS", "SITE_CODE", "EQUIPMENT_ID", "SHIFT_DATE", "TONNES_WET", "CONTRACT_REF")
