-- OBS telemetry schema, Snowflake dialect (transpiled for DuckDB by sqlglot).
-- One statement per `;`. Tables are unqualified: the connection's database/schema decide where.

CREATE TABLE IF NOT EXISTS PIPELINES (
    pipeline_id               VARCHAR NOT NULL,   -- stable id, e.g. 'p2' or 'ol_<hash>' for ingested jobs
    pipeline_name             VARCHAR NOT NULL,
    namespace                 VARCHAR,            -- OpenLineage job namespace (the orchestrator's)
    team                      VARCHAR,
    domain                    VARCHAR,
    owner                     VARCHAR,
    criticality               VARCHAR,            -- critical | high | medium | low
    platform                  VARCHAR,            -- airflow | dbt | spark | adf | glue | ...
    schedule                  VARCHAR,            -- cron text
    expected_interval_minutes NUMBER(10, 0),
    freshness_sla_minutes     NUMBER(10, 0),
    max_duration_minutes      NUMBER(10, 0),
    runbook_url               VARCHAR,
    tags                      VARCHAR,            -- comma-separated
    is_active                 BOOLEAN,
    created_ts                TIMESTAMP_NTZ
);

CREATE TABLE IF NOT EXISTS PIPELINE_RUNS (
    run_id           VARCHAR NOT NULL,
    pipeline_id      VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,            -- SUCCESS | FAILED | RUNNING | ABORTED
    start_ts         TIMESTAMP_NTZ,
    end_ts           TIMESTAMP_NTZ,
    duration_seconds NUMBER(12, 0),
    rows_processed   NUMBER(18, 0),
    error_code       VARCHAR,
    error_message    VARCHAR,
    trigger_type     VARCHAR,                     -- schedule | manual | backfill | retry | openlineage
    attempt          NUMBER(4, 0),
    nominal_ts       TIMESTAMP_NTZ,               -- OpenLineage nominalTime
    event_ts         TIMESTAMP_NTZ                -- newest event time applied (ingest ordering)
);

CREATE TABLE IF NOT EXISTS DATASETS (
    dataset_id            VARCHAR NOT NULL,
    name                  VARCHAR NOT NULL,
    namespace             VARCHAR,
    kind                  VARCHAR,                -- table | view | dashboard | report | ml_model
    owner                 VARCHAR,
    team                  VARCHAR,
    criticality           VARCHAR,
    freshness_sla_minutes NUMBER(10, 0),
    last_updated_ts       TIMESTAMP_NTZ
);

CREATE TABLE IF NOT EXISTS LINEAGE_EDGES (
    src_id   VARCHAR NOT NULL,
    src_kind VARCHAR NOT NULL,                    -- pipeline | dataset
    dst_id   VARCHAR NOT NULL,
    dst_kind VARCHAR NOT NULL                     -- pipeline | dataset
);

CREATE TABLE IF NOT EXISTS RUN_COSTS (
    run_id         VARCHAR NOT NULL,
    pipeline_id    VARCHAR NOT NULL,
    usage_date     DATE NOT NULL,
    cost_aud       NUMBER(14, 4),
    credits_used   NUMBER(14, 4),
    warehouse_name VARCHAR
);

-- Derived: per-pipeline facts over every run, so that reads of "latest run", "last success" and
-- "running now" look up one row per pipeline instead of scanning PIPELINE_RUNS' whole history.
-- The project's writers keep it (ingest, the demo loader: pipelines_app/run_state.py); anything
-- else that writes PIPELINE_RUNS runs `manage.py refresh_run_state` after it.
CREATE TABLE IF NOT EXISTS PIPELINE_RUN_STATE (
    pipeline_id          VARCHAR NOT NULL,
    last_run_id          VARCHAR,                 -- latest run, by start_ts then run_id
    last_start_ts        TIMESTAMP_NTZ,
    last_status          VARCHAR,
    last_end_ts          TIMESTAMP_NTZ,           -- newest end of any run
    last_finished_status VARCHAR,                 -- latest run that is not RUNNING
    last_success_ts      TIMESTAMP_NTZ,           -- newest end of a SUCCESS
    running_runs         NUMBER(12, 0),
    running_since_ts     TIMESTAMP_NTZ,           -- oldest start of a RUNNING run
    newest_ts            TIMESTAMP_NTZ            -- newest start or end: a row past "now" cannot answer for "now"
);

-- Derived: finished runs per pipeline and UTC day (the day of COALESCE(end_ts, start_ts)), so that
-- an SLA window reads its days here and from PIPELINE_RUNS only the smaller side of its first day
-- (sla.py). Kept with
-- PIPELINE_RUN_STATE (run_state.py). long_runs counts SUCCESS runs longer than the pipeline's
-- max_duration_minutes as it was at refresh time, kept beside them: a pipeline whose limit has
-- changed since is scored from its runs instead.
CREATE TABLE IF NOT EXISTS PIPELINE_RUN_DAYS (
    pipeline_id          VARCHAR NOT NULL,
    run_day              DATE NOT NULL,
    runs                 NUMBER(12, 0),           -- SUCCESS, FAILED, ABORTED
    failed_runs          NUMBER(12, 0),           -- FAILED, ABORTED
    last_failed_ts       TIMESTAMP_NTZ,
    long_runs            NUMBER(12, 0),
    last_long_ts         TIMESTAMP_NTZ,
    max_duration_minutes NUMBER(10, 0)
);

-- OpenLineage events as received: every accepted event's JSON text (re-serialised compactly: the
-- same keys, order and values), so what a producer sent is kept even where nothing maps it. Kept
-- CT_LINEAGE_EVENTS_RETENTION_DAYS (default 30) after received_ts (pipelines_app/ingest/raw.py).
CREATE TABLE IF NOT EXISTS LINEAGE_EVENTS (
    event_id       VARCHAR NOT NULL,              -- assigned on receipt (a UUID's hex)
    received_ts    TIMESTAMP_NTZ NOT NULL,        -- when this source stored it (a replay is kept again)
    event_ts       TIMESTAMP_NTZ NOT NULL,        -- eventTime
    event_type     VARCHAR,                       -- START | RUNNING | COMPLETE | ABORT | FAIL | OTHER
    kind           VARCHAR NOT NULL,              -- run | job | dataset
    producer       VARCHAR NOT NULL,
    run_id         VARCHAR,                       -- lower-case, as PIPELINE_RUNS.run_id
    job_namespace  VARCHAR,
    job_name       VARCHAR,
    pipeline_id    VARCHAR,
    run_facets     VARCHAR,                       -- facet names, comma-separated, sorted
    job_facets     VARCHAR,
    dataset_facets VARCHAR,                       -- dataset, inputFacets and outputFacets names
    event          VARCHAR NOT NULL               -- the event's JSON text
);

-- How far the events as received have been applied to the tables above (pipelines_app/ingest/applier.py):
-- on a single-writer warehouse (DuckDB) ingest answers once an event is kept in LINEAGE_EVENTS and
-- applies it moments later; a process that stopped in between applies the events received after
-- applied_through when it next opens the warehouse. One row.
CREATE TABLE IF NOT EXISTS LINEAGE_EVENTS_APPLIED (
    applied_through TIMESTAMP_NTZ NOT NULL        -- received_ts of the last event applied
);

-- What OpenLineage events say about a run beyond PIPELINE_RUNS (pipelines_app/ingest/run_details.py):
-- append-only, one row per event and natural key (the eventTime included), so replays add nothing
-- and arrival order does not matter. Shown by GET /api/runs/{run_id} (pipelines_app/run_detail.py).
CREATE TABLE IF NOT EXISTS RUN_STATES (
    run_id       VARCHAR NOT NULL,
    pipeline_id  VARCHAR NOT NULL,
    event_type   VARCHAR NOT NULL,                -- START | RUNNING | COMPLETE | ABORT | FAIL | OTHER
    status       VARCHAR NOT NULL,                -- what it means for PIPELINE_RUNS.status
    event_ts     TIMESTAMP_NTZ NOT NULL,          -- eventTime (clamped to receipt when far ahead)
    sent_ts      TIMESTAMP_NTZ                    -- eventTime as sent, when it was clamped
);

-- The `parent` run facet: the parent run and job, and the root run and job when sent.
CREATE TABLE IF NOT EXISTS RUN_PARENTS (
    run_id             VARCHAR NOT NULL,
    pipeline_id        VARCHAR NOT NULL,
    parent_run_id      VARCHAR NOT NULL,
    parent_pipeline_id VARCHAR,                   -- "ol_" + sha256(job.namespace, job.name) of the parent
    parent_namespace   VARCHAR,
    parent_job         VARCHAR,
    root_run_id        VARCHAR,
    root_pipeline_id   VARCHAR,
    event_ts           TIMESTAMP_NTZ NOT NULL
);

-- Errors a run reported: errorMessage, exception facets (Spark's), dbt's extractionError errors.
CREATE TABLE IF NOT EXISTS RUN_ERRORS (
    run_id       VARCHAR NOT NULL,
    pipeline_id  VARCHAR NOT NULL,
    facet        VARCHAR NOT NULL,                -- the run facet it came from
    message      VARCHAR NOT NULL,
    language     VARCHAR,                         -- programmingLanguage
    stack_trace  VARCHAR,
    task         VARCHAR,                         -- extractionError: the task that failed
    event_ts     TIMESTAMP_NTZ NOT NULL
);

-- dataQualityAssertions of a run's datasets (dbt tests and the like).
CREATE TABLE IF NOT EXISTS RUN_ASSERTIONS (
    run_id            VARCHAR NOT NULL,
    pipeline_id       VARCHAR NOT NULL,
    dataset_id        VARCHAR NOT NULL,
    dataset_namespace VARCHAR NOT NULL,
    dataset_name      VARCHAR NOT NULL,
    assertion         VARCHAR NOT NULL,
    column_name       VARCHAR,
    success           BOOLEAN NOT NULL,
    event_ts          TIMESTAMP_NTZ NOT NULL
);

-- Streaming jobs (jobType.processingType STREAMING) and their newest eventTime: a streaming run
-- never completes, so SLA freshness counts from its latest event (pipelines_app/sla.py).
CREATE TABLE IF NOT EXISTS STREAMING_PIPELINES (
    pipeline_id   VARCHAR NOT NULL,
    last_event_ts TIMESTAMP_NTZ NOT NULL
);

-- OpenLineage dataset facets (the `facets` of a dataset in any event: schema, columnLineage,
-- documentation, lifecycleStateChange, symlinks, dataSource, storage, ...), the newest by eventTime
-- per dataset and facet (pipelines_app/ingest/datasets.py). Served by /api/datasets/{id}: schema
-- fields, column lineage (/columns), `deleted` (a DROP newer than the last write).
CREATE TABLE IF NOT EXISTS DATASET_FACETS (
    dataset_id VARCHAR NOT NULL,
    facet      VARCHAR NOT NULL,                  -- the facet's name, e.g. 'schema'
    event_ts   TIMESTAMP_NTZ NOT NULL,            -- eventTime of the event that carried this value
    state      VARCHAR,                           -- lifecycleStateChange: the state (DROP, CREATE, ...)
    value      VARCHAR NOT NULL                   -- the facet's JSON text
);

-- A dataset named by a path whose `symlinks` facet names its table (type TABLE): lineage goes to
-- the table's dataset, and the path's id resolves to it (newest eventTime wins per path).
CREATE TABLE IF NOT EXISTS DATASET_SYMLINKS (
    alias_id        VARCHAR NOT NULL,             -- 'ds_' + hash of the path's namespace and name
    alias_namespace VARCHAR NOT NULL,
    alias_name      VARCHAR NOT NULL,
    dataset_id      VARCHAR NOT NULL,             -- the table's dataset
    event_ts        TIMESTAMP_NTZ NOT NULL
);

-- The data version: a token every telemetry writer replaces after it commits (ingest, the demo
-- loader, warehouse_init, ...), one row. The response cache files answers under it
-- (pipelines_app/data_version.py).
CREATE TABLE IF NOT EXISTS CT_DATA_VERSION (
    version    VARCHAR NOT NULL,
    changed_at TIMESTAMP_NTZ NOT NULL
);

-- The SLA profiles governance assigns (its active policy assignments, one row each), with the
-- thresholds they set: SLA status is decided in SQL with them (pipelines_app/sla.py, precedence
-- pipeline > team > domain > the pipeline's own columns). Governance rewrites the table whenever an
-- assignment changes (pipelines_app/sla_assignments.py, via CT_SLA_ASSIGNMENTS_PROVIDER).
CREATE TABLE IF NOT EXISTS SLA_ASSIGNMENTS (
    scope                 VARCHAR NOT NULL,       -- 'pipeline' | 'team' | 'domain'
    target_id             VARCHAR NOT NULL,       -- the pipeline id, team or domain
    profile               VARCHAR NOT NULL,       -- the profile's name: the thresholds' `source`
    freshness_sla_minutes INTEGER,
    max_duration_minutes  INTEGER,
    max_breach_ratio      DOUBLE NOT NULL
);
