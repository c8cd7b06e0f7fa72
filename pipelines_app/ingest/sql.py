"""The ingest writes, in Snowflake dialect (transpiled for DuckDB by the warehouse).

A group of events is first staged in per-connection scratch tables (OL_STAGE_*, Warehouse.stage:
an Arrow table DuckDB scans in place, a temporary table on Snowflake), then applied inside one
transaction by set-based statements: per table an UPDATE … FROM of the stored rows, then an
INSERT … SELECT of the new ones (NOT EXISTS). Not MERGE: fakesnow runs a MERGE through a temporary
table whose bookkeeping writes to a second database, which DuckDB refuses inside a transaction.
On Snowflake the UPDATE's table lock, held to commit, keeps concurrent writers from inserting the
same run twice.

PIPELINE_RUNS merges are commutative and idempotent, so the final row does not depend on arrival
order and replaying an event changes nothing:
- the status comes from the winning event: terminal beats START/RUNNING/OTHER, then the later
  eventTime, then the more severe status (FAILED > ABORTED > SUCCESS); `event_ts` keeps the
  winner's eventTime and `end_ts` is the winner's eventTime when it is terminal;
- `start_ts` is the earliest eventTime seen; `duration_seconds` = end_ts - start_ts (seconds);
- the error message/code come from the winner when it carries one, else stay; a SUCCESS clears them;
- `nominal_ts` is the earliest and `rows_processed` the largest value reported.
store.fold_runs applies the same rules to the events of one run inside a group.
"""

from . import datasets

EPOCH = "CAST('1970-01-01' AS TIMESTAMP_NTZ)"

STAGE_RUNS = (
    ("run_id", "VARCHAR"),
    ("pipeline_id", "VARCHAR"),
    ("status", "VARCHAR"),
    ("terminal", "INTEGER"),
    ("severity", "INTEGER"),
    ("event_ts", "TIMESTAMP_NTZ"),
    ("start_ts", "TIMESTAMP_NTZ"),
    ("end_ts", "TIMESTAMP_NTZ"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("nominal_ts", "TIMESTAMP_NTZ"),
    ("rows_processed", "NUMBER(18, 0)"),
)
STAGE_PIPELINES = (
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
STAGE_DATASETS = (
    ("dataset_id", "VARCHAR"),
    ("name", "VARCHAR"),
    ("namespace", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("owner", "VARCHAR"),
    ("team", "VARCHAR"),
    ("last_updated_ts", "TIMESTAMP_NTZ"),
)
STAGE_EDGES = (("src_id", "VARCHAR"), ("src_kind", "VARCHAR"), ("dst_id", "VARCHAR"), ("dst_kind", "VARCHAR"))
STAGES = {
    "OL_STAGE_RUNS": STAGE_RUNS,
    "OL_STAGE_PIPELINES": STAGE_PIPELINES,
    "OL_STAGE_DATASETS": STAGE_DATASETS,
    "OL_STAGE_EDGES": STAGE_EDGES,
    **datasets.STAGES,
}
# Appended as they are (no staging): the events as received.
LINEAGE_EVENTS = (
    ("event_id", "VARCHAR"),
    ("received_ts", "TIMESTAMP_NTZ"),
    ("event_ts", "TIMESTAMP_NTZ"),
    ("event_type", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("producer", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("job_namespace", "VARCHAR"),
    ("job_name", "VARCHAR"),
    ("pipeline_id", "VARCHAR"),
    ("run_facets", "VARCHAR"),
    ("job_facets", "VARCHAR"),
    ("dataset_facets", "VARCHAR"),
    ("event", "VARCHAR"),
)


T_TERMINAL = "(CASE WHEN t.status IN ('SUCCESS', 'FAILED', 'ABORTED') THEN 1 ELSE 0 END)"
T_SEVERITY = "(CASE t.status WHEN 'FAILED' THEN 3 WHEN 'ABORTED' THEN 2 WHEN 'SUCCESS' THEN 1 ELSE 0 END)"
T_EVENT = f"COALESCE(t.event_ts, {EPOCH})"
WIN = (
    f"(s.terminal > {T_TERMINAL} OR (s.terminal = {T_TERMINAL} AND (s.event_ts > {T_EVENT} "
    f"OR (s.event_ts = {T_EVENT} AND s.severity > {T_SEVERITY}))))"
)
NEW_START = "(CASE WHEN t.start_ts IS NULL OR m.start_ts < t.start_ts THEN m.start_ts ELSE t.start_ts END)"
NEW_END = "(CASE WHEN m.win THEN m.end_ts ELSE t.end_ts END)"


def _least(column: str, op: str = "<") -> str:
    return f"CASE WHEN t.{column} IS NULL OR m.{column} {op} t.{column} THEN m.{column} ELSE t.{column} END"


# Stored runs this group touches, each with `win`: whether the staged event beats the stored status.
# (Joining here, with the small staged table as the build side, lets DuckDB prune the scan of
# PIPELINE_RUNS; computing `win` once also keeps the UPDATE's expressions small.)
# A run is only ever updated by events of the job that owns it (ownership.py refuses the others
# before they get here; the pipeline_id condition keeps that true against a concurrent writer too).
MATCHED_RUNS = (
    f"SELECT s.*, {WIN} AS win FROM OL_STAGE_RUNS s "
    "JOIN PIPELINE_RUNS t ON t.run_id = s.run_id AND t.pipeline_id = s.pipeline_id"
)
# Staged runs whose run id is stored, with the pipeline (and job) that owns it and what the run
# rollups count of it (run_state.update).
_ROLLED_UP = "t.status, t.start_ts, t.end_ts, t.duration_seconds"
STORED_RUNS = f"""SELECT s.run_id, t.pipeline_id, p.namespace, p.pipeline_name, {_ROLLED_UP}
FROM OL_STAGE_RUNS s JOIN PIPELINE_RUNS t ON t.run_id = s.run_id
LEFT JOIN PIPELINES p ON p.pipeline_id = t.pipeline_id"""


def stored_pipelines(ids: int) -> str:
    """The stored pipeline of `ids` run ids, bound in order (the run ids served by the index)."""
    marks = ", ".join("?" for _ in range(ids))
    return f"SELECT run_id, pipeline_id FROM PIPELINE_RUNS WHERE run_id IN ({marks})"


def stored_owners(ids: int) -> str:
    """The stored pipeline (and its job) of `ids` run ids, bound in order."""
    marks = ", ".join("?" for _ in range(ids))
    return f"""SELECT t.run_id, t.pipeline_id, p.namespace, p.pipeline_name FROM PIPELINE_RUNS t
LEFT JOIN PIPELINES p ON p.pipeline_id = t.pipeline_id WHERE t.run_id IN ({marks})"""


UPDATE_RUNS = f"""UPDATE PIPELINE_RUNS t SET
  status = CASE WHEN m.win THEN m.status ELSE t.status END,
  event_ts = CASE WHEN m.win THEN m.event_ts ELSE t.event_ts END,
  end_ts = {NEW_END},
  start_ts = {NEW_START},
  duration_seconds = DATEDIFF(second, {NEW_START}, {NEW_END}),
  error_message = CASE WHEN m.win
    THEN (CASE WHEN m.status = 'SUCCESS' THEN NULL ELSE COALESCE(m.error_message, t.error_message) END)
    ELSE (CASE WHEN t.status = 'SUCCESS' THEN NULL ELSE COALESCE(t.error_message, m.error_message) END) END,
  error_code = CASE WHEN m.win
    THEN (CASE WHEN m.status = 'SUCCESS' THEN NULL WHEN m.error_message IS NOT NULL THEN m.error_code
               ELSE t.error_code END)
    ELSE (CASE WHEN t.status = 'SUCCESS' THEN NULL WHEN t.error_message IS NULL THEN m.error_code
               ELSE t.error_code END) END,
  nominal_ts = {_least("nominal_ts")},
  rows_processed = {_least("rows_processed", ">")}
FROM ({MATCHED_RUNS}) m WHERE t.run_id = m.run_id"""

INSERT_RUNS = """INSERT INTO PIPELINE_RUNS
  (run_id, pipeline_id, status, start_ts, end_ts, duration_seconds, rows_processed, error_code,
   error_message, trigger_type, attempt, nominal_ts, event_ts)
SELECT s.run_id, s.pipeline_id, s.status, s.start_ts, s.end_ts, DATEDIFF(second, s.start_ts, s.end_ts),
  s.rows_processed, CASE WHEN s.status = 'SUCCESS' THEN NULL ELSE s.error_code END,
  CASE WHEN s.status = 'SUCCESS' THEN NULL ELSE s.error_message END, 'openlineage', 1, s.nominal_ts,
  s.event_ts
FROM OL_STAGE_RUNS s WHERE NOT EXISTS (SELECT 1 FROM PIPELINE_RUNS x WHERE x.run_id = s.run_id)"""

_PIPELINE_CHANGED = " OR ".join(
    f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM t.{c})" for c in PIPELINE_FILLED
)
_PIPELINE_FILL = ", ".join(f"{c} = COALESCE(s.{c}, t.{c})" for c in PIPELINE_FILLED)
UPDATE_PIPELINES = f"""UPDATE PIPELINES t SET {_PIPELINE_FILL}
FROM OL_STAGE_PIPELINES s WHERE t.pipeline_id = s.pipeline_id AND ({_PIPELINE_CHANGED})"""

INSERT_PIPELINES = """INSERT INTO PIPELINES
  (pipeline_id, pipeline_name, namespace, team, domain, owner, criticality, platform, runbook_url, tags,
   is_active, created_ts)
SELECT s.pipeline_id, s.pipeline_name, s.namespace, s.team, s.domain, s.owner, s.criticality, s.platform,
  s.runbook_url, s.tags, TRUE, s.created_ts
FROM OL_STAGE_PIPELINES s WHERE NOT EXISTS (SELECT 1 FROM PIPELINES x WHERE x.pipeline_id = s.pipeline_id)"""

_NEWER = f"s.last_updated_ts > COALESCE(t.last_updated_ts, {EPOCH})"
_DATASET_CHANGED = " OR ".join(
    f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM t.{c})" for c in ("kind", "owner", "team")
)
UPDATE_DATASETS = f"""UPDATE DATASETS t SET
  kind = COALESCE(s.kind, t.kind), owner = COALESCE(s.owner, t.owner), team = COALESCE(s.team, t.team),
  last_updated_ts = CASE WHEN {_NEWER} THEN s.last_updated_ts ELSE t.last_updated_ts END
FROM OL_STAGE_DATASETS s WHERE t.dataset_id = s.dataset_id AND ({_DATASET_CHANGED} OR {_NEWER})"""

INSERT_DATASETS = """INSERT INTO DATASETS (dataset_id, name, namespace, kind, owner, team, last_updated_ts)
SELECT s.dataset_id, s.name, s.namespace, COALESCE(s.kind, 'table'), s.owner, s.team, s.last_updated_ts
FROM OL_STAGE_DATASETS s WHERE NOT EXISTS (SELECT 1 FROM DATASETS x WHERE x.dataset_id = s.dataset_id)"""

INSERT_EDGES = """INSERT INTO LINEAGE_EDGES (src_id, src_kind, dst_id, dst_kind)
SELECT s.src_id, s.src_kind, s.dst_id, s.dst_kind FROM OL_STAGE_EDGES s
WHERE NOT EXISTS (SELECT 1 FROM LINEAGE_EDGES x WHERE x.src_id = s.src_id AND x.src_kind = s.src_kind
                  AND x.dst_id = s.dst_id AND x.dst_kind = s.dst_kind)"""

# What each staged table feeds, in the order they are applied.
# On a single-writer warehouse the run statements hand back the rows as written (DuckDB's RETURNING;
# not in Snowflake), for run_state.update.
RUNS_WRITTEN = {
    UPDATE_RUNS: f" RETURNING t.run_id, t.pipeline_id, {_ROLLED_UP}",
    INSERT_RUNS: f" RETURNING run_id, pipeline_id, {_ROLLED_UP.replace('t.', '')}",
}
APPLY = {
    "OL_STAGE_PIPELINES": (UPDATE_PIPELINES, INSERT_PIPELINES),
    "OL_STAGE_DATASETS": (UPDATE_DATASETS, INSERT_DATASETS),
    "OL_STAGE_EDGES": (INSERT_EDGES,),
    "OL_STAGE_RUNS": (UPDATE_RUNS, INSERT_RUNS),
    **datasets.APPLY,
}
