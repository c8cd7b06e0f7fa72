"""The ingest writes: per table an UPDATE … FROM of the stored rows, then an INSERT … SELECT of
the new ones (NOT EXISTS), in Snowflake dialect with `?` binds only. (Not MERGE: fakesnow runs a
MERGE through a temporary table whose bookkeeping writes to a second database, which DuckDB
refuses inside a transaction. The caller's transaction, and on Snowflake the table lock the
UPDATE takes until commit, keep the pair atomic.)

Each statement reads its rows from `VALUES (?, …), …` padded with all-NULL rows to a power of
two (at most MAX_ROWS), so a handful of distinct statement texts exist and the DuckDB backend's
transpile cache holds them all. A NULL key matches nothing and the INSERT skips it.

PIPELINE_RUNS merges are commutative, so the final row does not depend on arrival order:
- the status comes from the winning event: terminal beats START/RUNNING/OTHER, then the later
  eventTime, then the more severe status (FAILED > ABORTED > SUCCESS); `event_ts` keeps the
  winner's eventTime and `end_ts` is the winner's eventTime when it is terminal;
- `start_ts` is the earliest eventTime seen; `duration_seconds` = end_ts - start_ts;
- the error message/code come from the winner when it carries one, else stay (a SUCCESS clears them);
- replaying an event leaves every column as it was.
"""

from functools import lru_cache

MAX_ROWS = 512
EPOCH = "CAST('1970-01-01' AS TIMESTAMP_NTZ)"

RUN_SOURCE = (
    ("run_id", "VARCHAR"),
    ("pipeline_id", "VARCHAR"),
    ("status", "VARCHAR"),
    ("terminal", "INTEGER"),
    ("severity", "INTEGER"),
    ("event_ts", "TIMESTAMP_NTZ"),
    ("end_ts", "TIMESTAMP_NTZ"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("nominal_ts", "TIMESTAMP_NTZ"),
    ("rows_processed", "NUMBER(18, 0)"),
)
PIPELINE_SOURCE = (
    ("pipeline_id", "VARCHAR"),
    ("pipeline_name", "VARCHAR"),
    ("namespace", "VARCHAR"),
    ("team", "VARCHAR"),
    ("domain", "VARCHAR"),
    ("owner", "VARCHAR"),
    ("criticality", "VARCHAR"),
    ("platform", "VARCHAR"),
    ("runbook_url", "VARCHAR"),
    ("tags", "VARCHAR"),
    ("created_ts", "TIMESTAMP_NTZ"),
)
PIPELINE_FILLED = ("team", "domain", "owner", "criticality", "platform", "runbook_url", "tags")
DATASET_SOURCE = (
    ("dataset_id", "VARCHAR"),
    ("name", "VARCHAR"),
    ("namespace", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("owner", "VARCHAR"),
    ("team", "VARCHAR"),
    ("last_updated_ts", "TIMESTAMP_NTZ"),
)
EDGE_SOURCE = (("src_id", "VARCHAR"), ("src_kind", "VARCHAR"), ("dst_id", "VARCHAR"), ("dst_kind", "VARCHAR"))

T_TERMINAL = "(CASE WHEN t.status IN ('SUCCESS', 'FAILED', 'ABORTED') THEN 1 ELSE 0 END)"
T_SEVERITY = "(CASE t.status WHEN 'FAILED' THEN 3 WHEN 'ABORTED' THEN 2 WHEN 'SUCCESS' THEN 1 ELSE 0 END)"
T_EVENT = f"COALESCE(t.event_ts, {EPOCH})"
WIN = (
    f"(s.terminal > {T_TERMINAL} OR (s.terminal = {T_TERMINAL} AND (s.event_ts > {T_EVENT} "
    f"OR (s.event_ts = {T_EVENT} AND s.severity > {T_SEVERITY}))))"
)
NEW_STATUS = f"(CASE WHEN {WIN} THEN s.status ELSE t.status END)"
NEW_END = f"(CASE WHEN {WIN} THEN s.end_ts ELSE t.end_ts END)"
NEW_START = "(CASE WHEN t.start_ts IS NULL OR s.event_ts < t.start_ts THEN s.event_ts ELSE t.start_ts END)"
TAKE_ERROR = f"(({WIN} AND s.error_message IS NOT NULL) OR (NOT {WIN} AND t.error_message IS NULL))"


def padded_size(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return min(size, MAX_ROWS)


def _source(columns: tuple, n: int) -> str:
    names = [c for c, _ in columns]
    row = "(" + ", ".join("?" for _ in names) + ")"
    select = ", ".join(f"CAST(v.{c} AS {t}) AS {c}" for c, t in columns)
    return f"(SELECT {select} FROM VALUES {', '.join([row] * n)} AS v({', '.join(names)})) s"


def _new(table: str, key: str) -> str:
    """Only source rows that are real (padding has a NULL key) and not stored yet."""
    return f"WHERE s.{key} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{key} = s.{key})"


def _error(column: str) -> str:
    return (
        f"CASE WHEN {NEW_STATUS} = 'SUCCESS' THEN NULL WHEN {TAKE_ERROR} THEN s.{column} ELSE t.{column} END"
    )


def _prefer(column: str) -> str:
    return f"CASE WHEN {WIN} THEN COALESCE(s.{column}, t.{column}) ELSE COALESCE(t.{column}, s.{column}) END"


@lru_cache(maxsize=64)
def upsert_runs(n: int) -> tuple[str, str]:
    update = f"""UPDATE PIPELINE_RUNS t SET
  status = {NEW_STATUS},
  event_ts = CASE WHEN {WIN} THEN s.event_ts ELSE t.event_ts END,
  end_ts = {NEW_END},
  start_ts = {NEW_START},
  duration_seconds = DATEDIFF(second, {NEW_START}, {NEW_END}),
  error_message = {_error("error_message")},
  error_code = {_error("error_code")},
  nominal_ts = {_prefer("nominal_ts")},
  rows_processed = {_prefer("rows_processed")}
FROM {_source(RUN_SOURCE, n)} WHERE t.run_id = s.run_id"""
    insert = f"""INSERT INTO PIPELINE_RUNS
  (run_id, pipeline_id, status, start_ts, end_ts, duration_seconds, rows_processed, error_code,
   error_message, trigger_type, attempt, nominal_ts, event_ts)
SELECT s.run_id, s.pipeline_id, s.status, s.event_ts, s.end_ts, DATEDIFF(second, s.event_ts, s.end_ts),
  s.rows_processed, CASE WHEN s.status = 'SUCCESS' THEN NULL ELSE s.error_code END,
  CASE WHEN s.status = 'SUCCESS' THEN NULL ELSE s.error_message END, 'openlineage', 1, s.nominal_ts,
  s.event_ts
FROM {_source(RUN_SOURCE, n)} {_new("PIPELINE_RUNS", "run_id")}"""
    return update, insert


@lru_cache(maxsize=64)
def upsert_pipelines(n: int) -> tuple[str, str]:
    changed = " OR ".join(f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM t.{c})" for c in PIPELINE_FILLED)
    updates = ", ".join(f"{c} = COALESCE(s.{c}, t.{c})" for c in PIPELINE_FILLED)
    update = f"""UPDATE PIPELINES t SET {updates}
FROM {_source(PIPELINE_SOURCE, n)} WHERE t.pipeline_id = s.pipeline_id AND ({changed})"""
    insert = f"""INSERT INTO PIPELINES
  (pipeline_id, pipeline_name, namespace, team, domain, owner, criticality, platform, runbook_url, tags,
   is_active, created_ts)
SELECT s.pipeline_id, s.pipeline_name, s.namespace, s.team, s.domain, s.owner, s.criticality, s.platform,
  s.runbook_url, s.tags, TRUE, s.created_ts
FROM {_source(PIPELINE_SOURCE, n)} {_new("PIPELINES", "pipeline_id")}"""
    return update, insert


@lru_cache(maxsize=64)
def upsert_datasets(n: int) -> tuple[str, str]:
    newer = f"s.last_updated_ts > COALESCE(t.last_updated_ts, {EPOCH})"
    changed = " OR ".join(
        f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM t.{c})" for c in ("kind", "owner", "team")
    )
    update = f"""UPDATE DATASETS t SET
  kind = COALESCE(s.kind, t.kind), owner = COALESCE(s.owner, t.owner), team = COALESCE(s.team, t.team),
  last_updated_ts = CASE WHEN {newer} THEN s.last_updated_ts ELSE t.last_updated_ts END
FROM {_source(DATASET_SOURCE, n)} WHERE t.dataset_id = s.dataset_id AND ({changed} OR {newer})"""
    insert = f"""INSERT INTO DATASETS (dataset_id, name, namespace, kind, owner, team, last_updated_ts)
SELECT s.dataset_id, s.name, s.namespace, COALESCE(s.kind, 'table'), s.owner, s.team, s.last_updated_ts
FROM {_source(DATASET_SOURCE, n)} {_new("DATASETS", "dataset_id")}"""
    return update, insert


@lru_cache(maxsize=64)
def insert_edges(n: int) -> tuple[str]:
    same = (
        "x.src_id = s.src_id AND x.src_kind = s.src_kind AND x.dst_id = s.dst_id AND x.dst_kind = s.dst_kind"
    )
    insert = f"""INSERT INTO LINEAGE_EDGES (src_id, src_kind, dst_id, dst_kind)
SELECT s.src_id, s.src_kind, s.dst_id, s.dst_kind FROM {_source(EDGE_SOURCE, n)}
WHERE s.src_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM LINEAGE_EDGES x WHERE {same})"""
    return (insert,)
