-- Named telemetry queries for the source API (pipelines_app/queries.py loads them).
--
-- Snowflake dialect; DuckDB gets a sqlglot transpilation. Conventions:
--   * `:name` is a bind parameter (rendered as `?`); `IN (:ids)` takes a list.
--   * "now" and every window boundary arrive as binds (naive UTC): never CURRENT_TIMESTAMP.
--   * Optional filters are `(:team IS NULL OR p.team = :team)`, so each query has one text.
--   * Ordering uses non-null keys (or explicit NULLS LAST) plus a unique tie-breaker.
--   * Paged queries carry `COUNT(*) OVER () AS total_rows` and end in LIMIT/OFFSET.
--   * `{{name}}` includes another named statement's text (a fragment shared by several queries).


-- ===================================================================== run state
-- PIPELINE_RUN_STATE (schema.sql) holds per-pipeline facts over every run; run_state.py keeps it.

-- name: run_facts
-- Fragment: per-pipeline facts over `scoped_runs` (a CTE of the including statement: pipeline_id,
-- run_id, status, start_ts, end_ts), the columns of PIPELINE_RUN_STATE. "Latest" orders by start_ts,
-- then run_id; a SUCCESS counts for last_success_ts once it ended by :now (NULL: whenever).
SELECT pipeline_id,
       MAX(IFF(latest = 1, run_id, NULL)) AS last_run_id,
       MAX(start_ts) AS last_start_ts,
       MAX(IFF(latest = 1, status, NULL)) AS last_status,
       MAX(end_ts) AS last_end_ts,
       MAX(IFF(latest_of_kind = 1 AND status <> 'RUNNING', status, NULL)) AS last_finished_status,
       MAX(IFF(status = 'SUCCESS' AND end_ts <= COALESCE(:now, end_ts), end_ts, NULL)) AS last_success_ts,
       COUNT_IF(status = 'RUNNING') AS running_runs,
       MIN(IFF(status = 'RUNNING', start_ts, NULL)) AS running_since_ts,
       GREATEST(MAX(start_ts), COALESCE(MAX(end_ts), MAX(start_ts))) AS newest_ts
FROM (
    SELECT pipeline_id, run_id, status, start_ts, end_ts,
           ROW_NUMBER() OVER (PARTITION BY pipeline_id ORDER BY start_ts DESC, run_id DESC) AS latest,
           ROW_NUMBER() OVER (PARTITION BY pipeline_id, status = 'RUNNING'
                              ORDER BY start_ts DESC, run_id DESC) AS latest_of_kind
    FROM scoped_runs
) ranked
GROUP BY pipeline_id

-- name: run_state_now
-- Fragment: the CTE `state`, PIPELINE_RUN_STATE as of :now. A row whose runs all started and ended
-- by :now answers as stored; a pipeline with a run past :now (a writer's clock ahead of ours, a
-- test's frozen clock) is recomputed from its runs that started by :now. That set is empty in the
-- usual case, and the join against it reads nothing of PIPELINE_RUNS.
scoped_runs AS (
    SELECT r.pipeline_id, r.run_id, r.status, r.start_ts, r.end_ts
    FROM PIPELINE_RUN_STATE a
    JOIN PIPELINE_RUNS r ON r.pipeline_id = a.pipeline_id
    WHERE a.newest_ts > :now
      AND r.start_ts <= :now
),
state AS (
    SELECT pipeline_id, last_run_id, last_start_ts, last_status, last_end_ts, last_finished_status,
           last_success_ts, running_runs, running_since_ts, newest_ts
    FROM PIPELINE_RUN_STATE
    WHERE newest_ts <= :now
    UNION ALL
    {{run_facts}}
)

-- name: run_state_clear
DELETE FROM PIPELINE_RUN_STATE
WHERE :every OR pipeline_id IN (:ids);

-- name: run_state_fill
-- The state of every pipeline (:every) or of those in :ids, from all their runs.
INSERT INTO PIPELINE_RUN_STATE
    (pipeline_id, last_run_id, last_start_ts, last_status, last_end_ts, last_finished_status,
     last_success_ts, running_runs, running_since_ts, newest_ts)
WITH scoped_runs AS (
    SELECT pipeline_id, run_id, status, start_ts, end_ts
    FROM PIPELINE_RUNS
    WHERE start_ts IS NOT NULL
      AND (:every OR pipeline_id IN (:ids))
)
{{run_facts}};


-- name: run_days_clear
DELETE FROM PIPELINE_RUN_DAYS
WHERE :every OR pipeline_id IN (:ids);

-- name: run_days_fill
-- Finished runs per pipeline and UTC day of every pipeline (:every) or of those in :ids.
INSERT INTO PIPELINE_RUN_DAYS
    (pipeline_id, run_day, runs, failed_runs, last_failed_ts, long_runs, last_long_ts, max_duration_minutes)
WITH finished AS (
    SELECT r.pipeline_id, COALESCE(r.end_ts, r.start_ts) AS done_ts, r.status <> 'SUCCESS' AS failed,
           r.status = 'SUCCESS' AND COALESCE(r.duration_seconds, 0) > 60 * p.max_duration_minutes AS too_long,
           p.max_duration_minutes
    FROM PIPELINE_RUNS r
    LEFT JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
    WHERE r.status IN ('SUCCESS', 'FAILED', 'ABORTED')
      AND COALESCE(r.end_ts, r.start_ts) IS NOT NULL
      AND (:every OR r.pipeline_id IN (:ids))
)
SELECT pipeline_id, CAST(done_ts AS DATE), COUNT(*), COUNT_IF(failed), MAX(IFF(failed, done_ts, NULL)),
       COUNT_IF(too_long), MAX(IFF(too_long, done_ts, NULL)), MAX(max_duration_minutes)
FROM finished
GROUP BY pipeline_id, CAST(done_ts AS DATE);

-- ===================================================================== pipelines and runs

-- name: pipeline_list
-- Pipelines with their 7-day run counts and latest run (by start_ts, then run_id; from the run
-- state). `status` filters on the latest run's status. The 7-day counts read the window only
-- (pruned by zone maps / micro-partitions). `pipeline_ids` is a set of ids, each wrapped in
-- `id_sep` (a bind list that Snowflake, DuckDB and sqlglot all accept as one string).
WITH {{run_state_now}},
week AS (
    SELECT pipeline_id, COUNT(*) AS runs_7d, COUNT_IF(status = 'FAILED') AS failures_7d
    FROM PIPELINE_RUNS
    WHERE start_ts >= :since
      AND start_ts <= :now
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    GROUP BY pipeline_id
)
SELECT p.pipeline_id, p.pipeline_name, p.namespace, p.team, p.domain, p.owner, p.criticality,
       p.platform, p.schedule, p.expected_interval_minutes, p.freshness_sla_minutes,
       p.max_duration_minutes, p.runbook_url, p.tags, p.is_active, p.created_ts,
       COALESCE(w.runs_7d, 0) AS runs_7d,
       COALESCE(w.failures_7d, 0) AS failures_7d,
       s.last_end_ts, s.last_status, s.last_run_id, s.last_start_ts,
       COUNT(*) OVER () AS total_rows
FROM PIPELINES p
LEFT JOIN state s ON s.pipeline_id = p.pipeline_id
LEFT JOIN week w ON w.pipeline_id = p.pipeline_id
WHERE (:pipeline_id IS NULL OR p.pipeline_id = :pipeline_id)
  AND (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain)
  AND (:criticality IS NULL OR p.criticality = :criticality)
  AND (:search IS NULL OR CONTAINS(LOWER(p.pipeline_id), :search) OR CONTAINS(LOWER(p.pipeline_name), :search))
  AND (:status IS NULL OR s.last_status = :status)
  AND (:pipeline_ids IS NULL OR CONTAINS(:pipeline_ids, CONCAT(:id_sep, p.pipeline_id, :id_sep)))
ORDER BY p.pipeline_id
LIMIT :limit OFFSET :offset;

-- name: pipeline_by_id
SELECT pipeline_id, pipeline_name, namespace, team, domain, owner, criticality, platform, schedule,
       expected_interval_minutes, freshness_sla_minutes, max_duration_minutes, runbook_url, tags,
       is_active, created_ts
FROM PIPELINES
WHERE pipeline_id = :pipeline_id
LIMIT 1;

-- name: pipeline_runs
-- One pipeline's runs, newest first, with the cost booked against each run.
WITH run_cost AS (
    SELECT run_id, SUM(cost_aud) AS cost_aud
    FROM RUN_COSTS
    WHERE pipeline_id = :pipeline_id
    GROUP BY run_id
)
SELECT r.run_id, r.pipeline_id, r.status, r.start_ts, r.end_ts, r.duration_seconds, r.rows_processed,
       r.error_code, r.error_message, r.trigger_type, r.attempt, c.cost_aud,
       COUNT(*) OVER () AS total_rows
FROM PIPELINE_RUNS r
LEFT JOIN run_cost c ON c.run_id = r.run_id
WHERE r.pipeline_id = :pipeline_id
ORDER BY r.start_ts DESC NULLS LAST, r.run_id DESC
LIMIT :limit OFFSET :offset;


-- ===================================================================== summary

-- name: summary_pipelines
SELECT COUNT(*) AS pipelines, COUNT_IF(COALESCE(is_active, TRUE)) AS active
FROM PIPELINES;

-- name: summary_runs
-- Runs started in the last 24 h (filtered on a bare column, so it reads only the window), and
-- runs RUNNING now (from the run state).
WITH {{run_state_now}}
SELECT (SELECT COUNT(*) FROM PIPELINE_RUNS WHERE start_ts >= :since AND start_ts <= :now) AS runs_24h,
       (SELECT COALESCE(SUM(running_runs), 0) FROM state) AS running;

-- name: failed_run_count
-- How many run_failed incidents the window holds: the `failed_runs` statement, counted.
SELECT COUNT(*) AS failures FROM ({{failed_runs}}) f;

-- name: stale_datasets
-- Stale datasets: a freshness SLA and a last update older than it (never updated counts as stale),
-- most overdue first, never-updated ones last (the order the control tier merges in). The summary's count is this list's total.
SELECT dataset_id, name, namespace, kind, owner, team, criticality, freshness_sla_minutes,
       last_updated_ts,
       DATEDIFF(minute, DATEADD(minute, freshness_sla_minutes, last_updated_ts), :now) AS overdue_minutes,
       COUNT(*) OVER () AS total_rows
FROM DATASETS
WHERE freshness_sla_minutes IS NOT NULL
  AND (last_updated_ts IS NULL OR DATEADD(minute, freshness_sla_minutes, last_updated_ts) < :now)
  AND (:team IS NULL OR team = :team)
  AND (:kind IS NULL OR kind = :kind)
  AND (:criticality IS NULL OR criticality = :criticality)
ORDER BY last_updated_ts IS NULL, overdue_minutes DESC, dataset_id
LIMIT :limit OFFSET :offset;

-- name: failing_pipelines
-- Active pipelines whose latest finished run (RUNNING ignored; latest by start_ts, then run_id) failed.
WITH {{run_state_now}}
SELECT s.pipeline_id
FROM state s
JOIN PIPELINES p ON p.pipeline_id = s.pipeline_id
WHERE COALESCE(p.is_active, TRUE)
  AND s.last_finished_status = 'FAILED'
ORDER BY s.pipeline_id;


-- ===================================================================== SLA

-- name: sla_assessed
-- Fragment: the CTE `assessed`, every pipeline in scope with its SLA status over the window, after
-- `WITH {{run_state_now}},`. Thresholds: the SLA profile assigned (SLA_ASSIGNMENTS, when :assigned)
-- to the pipeline, else its team, else its domain, else the pipeline's own columns with
-- :default_ratio. Finished runs in the window (COALESCE(end_ts, start_ts) in (since, now]): the
-- UTC days [:days_from, :last_day] from PIPELINE_RUN_DAYS, and from the runs only the first day's
-- smaller side: its runs after :since, or (:head, :days_from = that day) those up to :since,
-- subtracted from its day row. Today's row counts only for a pipeline without a run stamped after
-- :now (`ahead`: it may count that run); the others' today comes from their runs. Each read of the
-- runs is a range on a bare column so that zone maps (DuckDB) and micro-partition pruning
-- (Snowflake) skip the rest; durations there are scored against the pipeline's own
-- max_duration_minutes, so a pipeline whose thresholds set another (or whose day rows were counted
-- against an older one) is counted again from its runs in the window (`recount`).
-- A breached run is FAILED/ABORTED, or a SUCCESS longer than the max duration (duration_seconds >
-- 60 * T). Freshness counts from the last success (or creation; a streaming pipeline with a RUNNING
-- run: its newest event, or a later success); lag and ratio are rounded as the API shows them
-- (1 and 4 decimals) before they are compared. sla.py names the rules; the flags decide `status`.
assignments AS (
    -- one row per (scope, target), should two writers ever have left a duplicate
    SELECT scope, target_id, profile, freshness_sla_minutes, max_duration_minutes, max_breach_ratio
    FROM SLA_ASSIGNMENTS
    WHERE :assigned
    QUALIFY ROW_NUMBER() OVER (PARTITION BY scope, target_id ORDER BY profile) = 1
),
scope AS (
    SELECT p.pipeline_id, p.pipeline_name, p.team, p.domain, p.owner, p.criticality, p.runbook_url,
           p.is_active, p.created_ts, p.max_duration_minutes AS own_max_duration,
           CASE WHEN a_p.profile IS NOT NULL THEN a_p.profile WHEN a_t.profile IS NOT NULL THEN a_t.profile
                WHEN a_d.profile IS NOT NULL THEN a_d.profile ELSE 'pipeline' END AS thresholds_source,
           CASE WHEN a_p.profile IS NOT NULL THEN a_p.freshness_sla_minutes
                WHEN a_t.profile IS NOT NULL THEN a_t.freshness_sla_minutes
                WHEN a_d.profile IS NOT NULL THEN a_d.freshness_sla_minutes
                ELSE p.freshness_sla_minutes END AS freshness_sla_minutes,
           CASE WHEN a_p.profile IS NOT NULL THEN a_p.max_duration_minutes
                WHEN a_t.profile IS NOT NULL THEN a_t.max_duration_minutes
                WHEN a_d.profile IS NOT NULL THEN a_d.max_duration_minutes
                ELSE p.max_duration_minutes END AS max_duration_minutes,
           CASE WHEN a_p.profile IS NOT NULL THEN a_p.max_breach_ratio
                WHEN a_t.profile IS NOT NULL THEN a_t.max_breach_ratio
                WHEN a_d.profile IS NOT NULL THEN a_d.max_breach_ratio
                ELSE CAST(:default_ratio AS DOUBLE) END AS max_breach_ratio
    FROM PIPELINES p
    LEFT JOIN assignments a_p ON a_p.scope = 'pipeline' AND a_p.target_id = p.pipeline_id
    LEFT JOIN assignments a_t ON a_t.scope = 'team' AND a_t.target_id = NULLIF(p.team, '')
    LEFT JOIN assignments a_d ON a_d.scope = 'domain' AND a_d.target_id = NULLIF(p.domain, '')
    WHERE (:pipeline_id IS NULL OR p.pipeline_id = :pipeline_id)
      AND (:active_only = FALSE OR COALESCE(p.is_active, TRUE))
      AND (:team IS NULL OR p.team = :team)
      AND (:domain IS NULL OR p.domain = :domain)
      AND (:criticality IS NULL OR p.criticality = :criticality)
      AND (:search IS NULL OR CONTAINS(LOWER(p.pipeline_id), :search) OR CONTAINS(LOWER(p.pipeline_name), :search))
),
ahead AS (
    -- pipelines with a run stamped after :now: today's day row may count it, so today comes from runs
    SELECT pipeline_id FROM PIPELINE_RUN_STATE WHERE newest_ts > :now
),
days AS (
    -- BIGINT: NUMBER(12, 0) sums would be 128-bit decimals, slower to add up (and Decimals to Python)
    SELECT d.pipeline_id, CAST(d.runs AS BIGINT) AS runs, CAST(d.failed_runs AS BIGINT) AS failed_runs,
           IFF(d.last_failed_ts > :since, d.last_failed_ts, NULL) AS last_failed_ts,
           CAST(d.long_runs AS BIGINT) AS long_runs,
           IFF(d.last_long_ts > :since, d.last_long_ts, NULL) AS last_long_ts,
           IFF(d.max_duration_minutes IS DISTINCT FROM s.own_max_duration
               OR s.max_duration_minutes IS DISTINCT FROM s.own_max_duration, 1, 0) AS recount
    FROM PIPELINE_RUN_DAYS d
    JOIN scope s ON s.pipeline_id = d.pipeline_id
    WHERE d.run_day >= :days_from
      AND d.run_day <= :last_day
      AND (d.run_day < :last_day OR d.pipeline_id NOT IN (SELECT pipeline_id FROM ahead))
      AND (:pipeline_id IS NULL OR d.pipeline_id = :pipeline_id)
),
edges AS (
    -- the first day's runs after :since (tail), or, with :head, those up to :since, subtracted from
    -- its day row (the smaller side of the day); today's runs of the pipelines `ahead`
    SELECT pipeline_id, status, duration_seconds, end_ts AS done_ts
    FROM PIPELINE_RUNS
    WHERE ((:head AND end_ts >= :since_day_ts AND end_ts <= :since)
           OR (NOT :head AND end_ts > :since AND end_ts < :first_day_ts))
      AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    UNION ALL
    SELECT pipeline_id, status, duration_seconds, start_ts AS done_ts
    FROM PIPELINE_RUNS
    WHERE end_ts IS NULL
      AND ((:head AND start_ts >= :since_day_ts AND start_ts <= :since)
           OR (NOT :head AND start_ts > :since AND start_ts < :first_day_ts))
      AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    UNION ALL
    SELECT pipeline_id, status, duration_seconds, end_ts AS done_ts
    FROM PIPELINE_RUNS
    WHERE end_ts >= :last_day_ts AND end_ts <= :now
      AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
      AND pipeline_id IN (SELECT pipeline_id FROM ahead)
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    UNION ALL
    SELECT pipeline_id, status, duration_seconds, start_ts AS done_ts
    FROM PIPELINE_RUNS
    WHERE end_ts IS NULL AND start_ts >= :last_day_ts AND start_ts <= :now
      AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
      AND pipeline_id IN (SELECT pipeline_id FROM ahead)
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
),
scored AS (
    -- a run up to :since is the first day's head: it counts against its day row (-1)
    SELECT e.pipeline_id, e.done_ts, IFF(e.done_ts <= :since, -1, 1) AS sign, e.status <> 'SUCCESS' AS failed,
           e.status = 'SUCCESS' AND COALESCE(e.duration_seconds, 0) > 60 * s.own_max_duration AS too_long,
           IFF(s.max_duration_minutes IS DISTINCT FROM s.own_max_duration, 1, 0) AS recount
    FROM edges e
    JOIN scope s ON s.pipeline_id = e.pipeline_id
),
combined AS (
    SELECT pipeline_id, runs, failed_runs, last_failed_ts, long_runs, last_long_ts, recount
    FROM days
    UNION ALL
    SELECT pipeline_id, sign, IFF(failed, sign, 0), IFF(failed AND sign = 1, done_ts, NULL),
           IFF(too_long, sign, 0), IFF(too_long AND sign = 1, done_ts, NULL), recount
    FROM scored
),
counted AS (
    SELECT pipeline_id,
           CAST(SUM(runs) AS BIGINT) AS runs,  -- a plain integer to Python, not a Decimal
           CAST(SUM(failed_runs) + SUM(long_runs) AS BIGINT) AS breached_runs,
           CASE WHEN MAX(last_long_ts) IS NULL OR MAX(last_failed_ts) > MAX(last_long_ts)
                THEN MAX(last_failed_ts) ELSE MAX(last_long_ts) END AS last_breach_ts,
           MAX(recount) AS recount
    FROM combined
    GROUP BY pipeline_id
),
recounted AS (
    SELECT r.pipeline_id,
           COUNT(*) AS runs,
           COUNT_IF(r.status <> 'SUCCESS' OR COALESCE(r.duration_seconds, 0) > 60 * s.max_duration_minutes)
               AS breached_runs,
           MAX(IFF(r.status <> 'SUCCESS' OR COALESCE(r.duration_seconds, 0) > 60 * s.max_duration_minutes,
                   r.done_ts, NULL)) AS last_breach_ts
    FROM (
        SELECT pipeline_id, status, duration_seconds, end_ts AS done_ts
        FROM PIPELINE_RUNS
        WHERE end_ts > :since AND end_ts <= :now
          AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
          AND pipeline_id IN (SELECT pipeline_id FROM counted WHERE recount = 1)
        UNION ALL
        SELECT pipeline_id, status, duration_seconds, start_ts AS done_ts
        FROM PIPELINE_RUNS
        WHERE end_ts IS NULL AND start_ts > :since AND start_ts <= :now
          AND status IN ('SUCCESS', 'FAILED', 'ABORTED')
          AND pipeline_id IN (SELECT pipeline_id FROM counted WHERE recount = 1)
    ) r
    JOIN scope s ON s.pipeline_id = r.pipeline_id
    GROUP BY r.pipeline_id
),
facts AS (
    SELECT s.*, COALESCE(x.runs, c.runs, 0) AS runs_in_window,
           COALESCE(x.breached_runs, c.breached_runs, 0) AS breached_runs,
           IFF(x.pipeline_id IS NOT NULL, x.last_breach_ts, c.last_breach_ts) AS last_breached_run_ts,
           t.last_success_ts, t.running_since_ts, h.last_event_ts AS heartbeat_ts,
           (h.last_event_ts IS NOT NULL AND t.running_since_ts IS NOT NULL) AS streaming
    FROM scope s
    LEFT JOIN counted c ON c.pipeline_id = s.pipeline_id
    LEFT JOIN recounted x ON x.pipeline_id = s.pipeline_id
    LEFT JOIN state t ON t.pipeline_id = s.pipeline_id
    LEFT JOIN STREAMING_PIPELINES h ON h.pipeline_id = s.pipeline_id AND h.last_event_ts <= :now
),
referenced AS (
    SELECT f.*,
           CASE WHEN NOT streaming THEN COALESCE(last_success_ts, created_ts)
                WHEN last_success_ts IS NOT NULL AND last_success_ts > heartbeat_ts THEN last_success_ts
                ELSE heartbeat_ts END AS reference_ts,
           IFF(runs_in_window > 0, ROUND(CAST(breached_runs AS DOUBLE) / runs_in_window, 4), NULL) AS ratio
    FROM facts f
),
flagged AS (
    SELECT r.*,
           ROUND(DATEDIFF(microsecond, reference_ts, :now) / 60000000.0, 1) AS lag,
           reference_ts IS NULL AS no_successful_run,
           COALESCE(ratio > max_breach_ratio, FALSE) AS breach_ratio_exceeded,
           COALESCE(ratio <= max_breach_ratio AND ratio > max_breach_ratio / 2, FALSE) AS breach_ratio_at_risk,
           COALESCE(running_since_ts IS NOT NULL AND NOT streaming
                    AND DATEDIFF(microsecond, running_since_ts, :now) > 60000000 * max_duration_minutes, FALSE)
               AS running_over_max_duration
    FROM referenced r
),
assessed AS (
    SELECT f.*,
           COALESCE(lag > freshness_sla_minutes, FALSE) AS freshness_breached,
           COALESCE(lag <= freshness_sla_minutes AND lag > CAST(:at_risk_fraction AS DOUBLE) * freshness_sla_minutes, FALSE)
               AS freshness_at_risk,
           CASE WHEN COALESCE(lag > freshness_sla_minutes, FALSE) OR breach_ratio_exceeded THEN 'breached'
                WHEN no_successful_run OR breach_ratio_at_risk OR running_over_max_duration
                     OR COALESCE(lag > CAST(:at_risk_fraction AS DOUBLE) * freshness_sla_minutes, FALSE) THEN 'at_risk'
                ELSE 'ok' END AS status
    FROM flagged f
)

-- name: sla_status
-- SLA rows of the pipelines in scope (with :status, only those), by pipeline id.
WITH {{run_state_now}},
{{sla_assessed}}
SELECT pipeline_id, pipeline_name, team, domain, owner, criticality, runbook_url, is_active, status,
       -- BIGINT: whole minutes as plain integers (a DECIMAL is converted value by value)
       CAST(freshness_sla_minutes AS BIGINT) AS freshness_sla_minutes,
       CAST(max_duration_minutes AS BIGINT) AS max_duration_minutes, max_breach_ratio, thresholds_source,
       runs_in_window, breached_runs, last_breached_run_ts, last_success_ts, running_since_ts,
       reference_ts, freshness_breached, freshness_at_risk, no_successful_run, breach_ratio_exceeded,
       breach_ratio_at_risk, running_over_max_duration
FROM assessed
WHERE :status IS NULL OR status = :status
ORDER BY pipeline_id;

-- name: sla_page
-- A page of `sla_status` (:offset, :limit; with :status, of those pipelines only), by pipeline id,
-- each row with how many pipelines in scope have each status (every status, whatever :status): the
-- SLA list reads the page's rows instead of every pipeline's. Past the last page: no row
-- (`sla_status_counts` answers the counts).
WITH {{run_state_now}},
{{sla_assessed}},
numbered AS (
    SELECT a.*,
           (:status IS NULL OR status = :status) AS listed,
           ROW_NUMBER() OVER (PARTITION BY (:status IS NULL OR status = :status) ORDER BY pipeline_id) AS n,
           SUM(IFF(status = 'ok', 1, 0)) OVER () AS ok_pipelines,
           SUM(IFF(status = 'at_risk', 1, 0)) OVER () AS at_risk_pipelines,
           SUM(IFF(status = 'breached', 1, 0)) OVER () AS breached_pipelines
    FROM assessed a
)
SELECT pipeline_id, pipeline_name, team, domain, owner, criticality, runbook_url, is_active, status,
       CAST(freshness_sla_minutes AS BIGINT) AS freshness_sla_minutes,
       CAST(max_duration_minutes AS BIGINT) AS max_duration_minutes, max_breach_ratio, thresholds_source,
       runs_in_window, breached_runs, last_breached_run_ts, last_success_ts, running_since_ts,
       reference_ts, freshness_breached, freshness_at_risk, no_successful_run, breach_ratio_exceeded,
       breach_ratio_at_risk, running_over_max_duration,
       CAST(ok_pipelines AS BIGINT) AS ok_pipelines, CAST(at_risk_pipelines AS BIGINT) AS at_risk_pipelines,
       CAST(breached_pipelines AS BIGINT) AS breached_pipelines
FROM numbered
WHERE listed
  AND n > :offset
  AND n <= :offset + :limit
ORDER BY pipeline_id;

-- name: sla_status_counts
-- How many pipelines in scope have each status.
WITH {{run_state_now}},
{{sla_assessed}}
SELECT status, COUNT(*) AS pipelines FROM assessed GROUP BY status;

-- name: sla_counts
-- Finished and breached runs per pipeline in scope over the window (governance's run evidence):
-- `sla_assessed`'s counts without the rest of the row, by pipeline id.
WITH {{run_state_now}},
{{sla_assessed}}
SELECT pipeline_id, runs_in_window, breached_runs
FROM assessed
ORDER BY pipeline_id;

-- name: sla_status_count
-- How many pipelines in scope have :status (the summary's sla_breaches).
WITH {{run_state_now}},
{{sla_assessed}}
SELECT COUNT(*) AS pipelines FROM assessed WHERE status = :status;

-- ===================================================================== incidents

-- name: sla_breaches
-- The SLA breach incidents of the pipelines in scope: every breached pipeline listed in the
-- incidents window (ongoing freshness breaches whatever their start, the others when detected since
-- :incident_since) with what ordering, severity and counting need: `detected_ts`, when the freshness
-- SLA ran out, else the latest breaching run (NULL: neither, so detected now, the newest). Only the
-- newest :limit of them (by detection, then pipeline id, as incidents are listed; `shown`) carry the
-- `sla_status` columns: all a page can show, and thousands of rows stay cheap to read.
WITH {{run_state_now}},
{{sla_assessed}},
listed AS (
    SELECT b.*,
           ROW_NUMBER() OVER (ORDER BY detected_ts DESC NULLS FIRST, pipeline_id DESC) <= :limit AS shown
    FROM (
        SELECT a.*,
               IFF(freshness_breached, DATEADD(minute, CAST(freshness_sla_minutes AS BIGINT), reference_ts),
                   last_breached_run_ts) AS detected_ts
        FROM assessed a
        WHERE status = 'breached'
    ) b
    WHERE freshness_breached OR detected_ts IS NULL OR detected_ts >= :incident_since
)
SELECT pipeline_id, criticality, detected_ts, shown,
       IFF(shown, pipeline_name, NULL) AS pipeline_name, IFF(shown, team, NULL) AS team,
       IFF(shown, domain, NULL) AS domain, IFF(shown, owner, NULL) AS owner,
       IFF(shown, runbook_url, NULL) AS runbook_url, IFF(shown, is_active, NULL) AS is_active,
       IFF(shown, status, NULL) AS status,
       IFF(shown, CAST(freshness_sla_minutes AS BIGINT), NULL) AS freshness_sla_minutes,
       IFF(shown, CAST(max_duration_minutes AS BIGINT), NULL) AS max_duration_minutes,
       IFF(shown, max_breach_ratio, NULL) AS max_breach_ratio,
       IFF(shown, thresholds_source, NULL) AS thresholds_source,
       IFF(shown, runs_in_window, NULL) AS runs_in_window, IFF(shown, breached_runs, NULL) AS breached_runs,
       IFF(shown, last_breached_run_ts, NULL) AS last_breached_run_ts,
       IFF(shown, last_success_ts, NULL) AS last_success_ts,
       IFF(shown, running_since_ts, NULL) AS running_since_ts, IFF(shown, reference_ts, NULL) AS reference_ts,
       IFF(shown, freshness_breached, NULL) AS freshness_breached,
       IFF(shown, freshness_at_risk, NULL) AS freshness_at_risk,
       IFF(shown, no_successful_run, NULL) AS no_successful_run,
       IFF(shown, breach_ratio_exceeded, NULL) AS breach_ratio_exceeded,
       IFF(shown, breach_ratio_at_risk, NULL) AS breach_ratio_at_risk,
       IFF(shown, running_over_max_duration, NULL) AS running_over_max_duration
FROM listed;

-- name: failed_runs
-- FAILED runs that ended (or, without an end, started) inside the window: what ordering, severity
-- and paging need (incidents.py reads the rest for one page, `failed_run_details`). The window on
-- COALESCE(end_ts, start_ts) is two branches on bare columns, so each reads only the window.
WITH failed AS (
    SELECT run_id, pipeline_id, start_ts, end_ts AS detected_ts
    FROM PIPELINE_RUNS
    WHERE status = 'FAILED'
      AND end_ts >= :since
      AND end_ts <= :now
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    UNION ALL
    SELECT run_id, pipeline_id, start_ts, start_ts AS detected_ts
    FROM PIPELINE_RUNS
    WHERE status = 'FAILED'
      AND end_ts IS NULL
      AND start_ts >= :since
      AND start_ts <= :now
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
)
SELECT r.run_id, r.pipeline_id, r.start_ts, r.detected_ts, p.criticality
FROM failed r
JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
WHERE (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain);

-- name: failed_run_daily_counts
-- The `failed_runs` of each pipeline counted per UTC day of detection (incidents' daily counts).
SELECT pipeline_id, CAST(detected_ts AS DATE) AS detected_date, MAX(criticality) AS criticality,
       COUNT(*) AS incidents
FROM ({{failed_runs}}) f
GROUP BY pipeline_id, CAST(detected_ts AS DATE);

-- name: failed_run_page
-- One read of the window's `failed_runs` for a page of incidents: per pipeline, how many (`part`
-- 'count'; incidents' by_severity: severity is per pipeline), and the newest :limit of them ('run',
-- newest first, then by run id, as incidents are listed) with the incident fields of each: all a
-- page can show of them, whatever the SLA and data-quality incidents it is merged with. The
-- fields are read back by run id and start_ts, so the scan skips what cannot hold those runs.
WITH failed_in_window AS (
    {{failed_runs}}
),
newest AS (
    SELECT run_id, pipeline_id, start_ts, detected_ts
    FROM failed_in_window
    ORDER BY detected_ts DESC, run_id DESC
    LIMIT :limit
)
SELECT 'count' AS part, pipeline_id, MAX(criticality) AS criticality, COUNT(*) AS incidents,
       NULL AS run_id, NULL AS start_ts, NULL AS detected_ts, NULL AS end_ts, NULL AS error_code,
       NULL AS error_message, NULL AS attempt, NULL AS pipeline_name, NULL AS team, NULL AS domain,
       NULL AS owner, NULL AS runbook_url
FROM failed_in_window
GROUP BY pipeline_id
UNION ALL
SELECT 'run', n.pipeline_id, p.criticality, NULL, n.run_id, n.start_ts, n.detected_ts, r.end_ts,
       r.error_code, r.error_message, CAST(r.attempt AS BIGINT), p.pipeline_name, p.team, p.domain, p.owner,
       p.runbook_url
FROM newest n
JOIN PIPELINE_RUNS r ON r.run_id = n.run_id AND r.pipeline_id = n.pipeline_id AND r.start_ts = n.start_ts
JOIN PIPELINES p ON p.pipeline_id = n.pipeline_id;

-- name: failed_run_details
-- The incident fields of these runs, with their pipeline's. The bounds on start_ts (the runs' own)
-- let the scan skip what cannot hold them instead of comparing every run_id with the list.
SELECT r.run_id, r.pipeline_id, r.start_ts, r.end_ts, r.error_code, r.error_message, r.attempt,
       COALESCE(r.end_ts, r.start_ts) AS detected_ts,
       p.pipeline_name, p.team, p.domain, p.owner, p.criticality, p.runbook_url
FROM PIPELINE_RUNS r
JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
WHERE r.start_ts >= :first_start
  AND r.start_ts <= :last_start
  AND r.run_id IN (:ids);


-- ===================================================================== impact (lineage)

-- name: lineage_fingerprint
-- Changes whenever an edge is added, removed or altered (a sum of row hashes; the count guards
-- duplicates): whether impact.py's in-process graph of every edge is still current, asked when
-- the data version moved.
SELECT COUNT(*) AS edges, SUM(HASH(src_id, src_kind, dst_id, dst_kind)) AS checksum
FROM LINEAGE_EDGES;

-- name: lineage_edges_part
-- One part of every edge (by a hash of the source; `mask` is the number of parts less one, a power
-- of two less one): impact.py's graph, rebuilt when `lineage_fingerprint` changes.
SELECT src_id, LOWER(src_kind) AS src_kind, dst_id, LOWER(dst_kind) AS dst_kind
FROM LINEAGE_EDGES
WHERE BITAND(HASH(src_id), :mask) = :part;

-- name: lineage_nodes
-- Names and kinds of the nodes a walk reached: pipelines and datasets in one statement.
SELECT 'pipeline' AS node_kind, pipeline_id AS id, pipeline_name AS name, namespace, 'pipeline' AS kind,
       criticality, owner, team
FROM PIPELINES
WHERE pipeline_id IN (:pipeline_ids)
UNION ALL
SELECT 'dataset' AS node_kind, dataset_id AS id, name, namespace, kind, criticality, owner, team
FROM DATASETS
WHERE dataset_id IN (:dataset_ids);

-- name: consumers_by_ids
-- Consumer assets (dashboards, reports, ML models) among the given dataset ids.
SELECT dataset_id, name, kind, criticality, owner, team
FROM DATASETS
WHERE dataset_id IN (:ids)
  AND kind IN ('dashboard', 'report', 'ml_model');

-- name: consumers_all
-- Every consumer asset: what a walk that reached more datasets than one IN-list reads instead.
SELECT dataset_id, name, kind, criticality, owner, team
FROM DATASETS
WHERE kind IN ('dashboard', 'report', 'ml_model');

-- name: consumers_fingerprint
-- Changes whenever `consumers_all` would answer differently (ingest's freshness updates do not).
SELECT COUNT(*) AS consumers, SUM(HASH(dataset_id, name, kind, criticality, owner, team)) AS checksum
FROM DATASETS
WHERE kind IN ('dashboard', 'report', 'ml_model');


-- ===================================================================== costs
-- RUN_COSTS is daily-grained (usage_date). A window of N days is the N UTC usage days ending
-- today, today included; "24h" is today's usage day.

-- name: cost_totals
SELECT SUM(IFF(usage_date = :today, cost_aud, 0)) AS cost_24h_aud,
       SUM(cost_aud) AS cost_7d_aud
FROM RUN_COSTS
WHERE usage_date >= :since_date
  AND usage_date <= :today;

-- name: cost_by_team
-- Summed per pipeline first (at run grain, a distinct count over the window's rows costs ~4x this).
WITH per_pipeline AS (
    SELECT pipeline_id, SUM(IFF(usage_date = :today, cost_aud, 0)) AS cost_24h_aud, SUM(cost_aud) AS cost_7d_aud
    FROM RUN_COSTS
    WHERE usage_date >= :since_date
      AND usage_date <= :today
    GROUP BY pipeline_id
)
SELECT COALESCE(p.team, 'unassigned') AS team,
       SUM(c.cost_24h_aud) AS cost_24h_aud,
       SUM(c.cost_7d_aud) AS cost_7d_aud,
       COUNT(DISTINCT c.pipeline_id) AS pipelines
FROM per_pipeline c
LEFT JOIN PIPELINES p ON p.pipeline_id = c.pipeline_id
GROUP BY COALESCE(p.team, 'unassigned')
ORDER BY cost_7d_aud DESC, team;

-- name: cost_by_domain
-- Summed per pipeline first (at run grain, a distinct count over the window's rows costs ~4x this).
WITH per_pipeline AS (
    SELECT pipeline_id, SUM(IFF(usage_date = :today, cost_aud, 0)) AS cost_24h_aud, SUM(cost_aud) AS cost_7d_aud
    FROM RUN_COSTS
    WHERE usage_date >= :since_date
      AND usage_date <= :today
    GROUP BY pipeline_id
)
SELECT COALESCE(p.domain, 'unassigned') AS domain,
       SUM(c.cost_24h_aud) AS cost_24h_aud,
       SUM(c.cost_7d_aud) AS cost_7d_aud,
       COUNT(DISTINCT c.pipeline_id) AS pipelines
FROM per_pipeline c
LEFT JOIN PIPELINES p ON p.pipeline_id = c.pipeline_id
GROUP BY COALESCE(p.domain, 'unassigned')
ORDER BY cost_7d_aud DESC, domain;

-- name: cost_daily
-- Daily totals over a date range, optionally for one team, domain or pipeline.
SELECT c.usage_date,
       SUM(c.cost_aud) AS cost_aud,
       SUM(c.credits_used) AS credits_used,
       COUNT(DISTINCT c.run_id) AS runs,
       COUNT(DISTINCT c.pipeline_id) AS pipelines
FROM RUN_COSTS c
LEFT JOIN PIPELINES p ON p.pipeline_id = c.pipeline_id
WHERE c.usage_date >= :start_date
  AND c.usage_date <= :end_date
  AND (:pipeline_id IS NULL OR c.pipeline_id = :pipeline_id)
  AND (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain)
GROUP BY c.usage_date
ORDER BY c.usage_date;

-- name: cost_daily_totals
-- cost_daily without its distinct run and pipeline counts (at run grain, counting distinct run ids
-- over a month of rows costs ~100x the sums): for a trend that shows money only.
SELECT c.usage_date,
       SUM(c.cost_aud) AS cost_aud,
       SUM(c.credits_used) AS credits_used
FROM RUN_COSTS c
LEFT JOIN PIPELINES p ON p.pipeline_id = c.pipeline_id
WHERE c.usage_date >= :start_date
  AND c.usage_date <= :end_date
  AND (:pipeline_id IS NULL OR c.pipeline_id = :pipeline_id)
  AND (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain)
GROUP BY c.usage_date
ORDER BY c.usage_date;

-- name: cost_pipeline_ranking
SELECT c.pipeline_id, p.pipeline_name, p.team, p.domain, p.criticality, p.owner,
       SUM(c.cost_aud) AS cost_aud,
       COUNT(DISTINCT c.run_id) AS runs,
       SUM(SUM(c.cost_aud)) OVER () AS window_total_aud,
       COUNT(*) OVER () AS total_rows
FROM RUN_COSTS c
LEFT JOIN PIPELINES p ON p.pipeline_id = c.pipeline_id
WHERE c.usage_date >= :start_date
  AND c.usage_date <= :end_date
  AND (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain)
GROUP BY c.pipeline_id, p.pipeline_name, p.team, p.domain, p.criticality, p.owner
ORDER BY cost_aud DESC, c.pipeline_id
LIMIT :limit OFFSET :offset;

-- name: cost_latest_day
-- The newest usage day with any cost, up to today.
SELECT MAX(usage_date) AS latest_day
FROM RUN_COSTS
WHERE usage_date <= :today;

-- name: cost_anomalies
-- Per pipeline: cost on :day against the previous days' robust baseline (median and MAD of the
-- daily totals on days with cost). ratio = latest / median; robust_z = (latest - median) / (1.4826 * MAD).
-- An anomaly needs a severity band (ratio >= 1.5), >= 3 baseline days, and robust_z >= 3 unless MAD = 0.
-- Scoring needs only daily sums; the run counts (COUNT(DISTINCT run_id) per day, the costly part
-- at run grain) are computed for the pipelines of the page alone.
WITH daily AS (
    SELECT pipeline_id, usage_date, SUM(cost_aud) AS cost_aud
    FROM RUN_COSTS
    WHERE usage_date >= :baseline_start
      AND usage_date <= :day
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    GROUP BY pipeline_id, usage_date
),
baseline AS (
    SELECT pipeline_id,
           MEDIAN(cost_aud) AS baseline_median_aud,
           SUM(cost_aud) AS baseline_cost_aud,
           COUNT(*) AS baseline_days_observed
    FROM daily
    WHERE usage_date < :day
    GROUP BY pipeline_id
),
spread AS (
    SELECT d.pipeline_id, MEDIAN(ABS(d.cost_aud - b.baseline_median_aud)) AS baseline_mad_aud
    FROM daily d
    JOIN baseline b ON b.pipeline_id = d.pipeline_id
    WHERE d.usage_date < :day
    GROUP BY d.pipeline_id
),
scored AS (
    SELECT l.pipeline_id, l.cost_aud AS latest_cost_aud,
           b.baseline_median_aud, s.baseline_mad_aud, b.baseline_cost_aud,
           COALESCE(b.baseline_days_observed, 0) AS baseline_days_observed,
           l.cost_aud / NULLIF(b.baseline_median_aud, 0) AS ratio,
           (l.cost_aud - b.baseline_median_aud) / NULLIF(1.4826 * s.baseline_mad_aud, 0) AS robust_z
    FROM daily l
    LEFT JOIN baseline b ON b.pipeline_id = l.pipeline_id
    LEFT JOIN spread s ON s.pipeline_id = l.pipeline_id
    WHERE l.usage_date = :day
),
banded AS (
    SELECT scored.*,
           CASE WHEN ratio >= 3 THEN 'high' WHEN ratio >= 2 THEN 'medium' WHEN ratio >= 1.5 THEN 'low' END
               AS severity,
           (ratio >= 1.5 AND baseline_days_observed >= 3 AND (robust_z IS NULL OR robust_z >= 3))
               AS is_anomaly
    FROM scored
),
page AS (
    SELECT a.*, p.pipeline_name, p.team, p.domain, p.criticality, p.owner,
           COUNT(*) OVER () AS total_rows
    FROM banded a
    LEFT JOIN PIPELINES p ON p.pipeline_id = a.pipeline_id
    WHERE (:team IS NULL OR p.team = :team)
      AND (:domain IS NULL OR p.domain = :domain)
      AND (:min_ratio IS NULL OR a.ratio >= :min_ratio)
      AND (:anomaly_only = FALSE OR COALESCE(a.is_anomaly, FALSE))
      AND (:severity IS NULL OR a.severity = :severity)
    ORDER BY COALESCE(a.ratio, 0) DESC, a.pipeline_id
    LIMIT :limit OFFSET :offset
),
runs AS (
    SELECT pipeline_id, usage_date, COUNT(DISTINCT run_id) AS runs
    FROM RUN_COSTS
    WHERE usage_date >= :baseline_start
      AND usage_date <= :day
      AND pipeline_id IN (SELECT pipeline_id FROM page)
    GROUP BY pipeline_id, usage_date
),
run_stats AS (
    SELECT pipeline_id,
           SUM(IFF(usage_date = :day, runs, 0)) AS latest_runs,
           AVG(IFF(usage_date < :day, runs, NULL)) AS baseline_runs_per_day,
           SUM(IFF(usage_date < :day, runs, 0)) AS baseline_runs
    FROM runs
    GROUP BY pipeline_id
)
SELECT a.pipeline_id, a.pipeline_name, a.team, a.domain, a.criticality, a.owner,
       a.latest_cost_aud, r.latest_runs, a.baseline_median_aud, a.baseline_mad_aud,
       r.baseline_runs_per_day, a.baseline_cost_aud / NULLIF(r.baseline_runs, 0) AS baseline_cost_per_run_aud,
       a.baseline_days_observed, a.ratio, a.robust_z, a.severity,
       COALESCE(a.is_anomaly, FALSE) AS is_anomaly, a.total_rows
FROM page a
LEFT JOIN run_stats r ON r.pipeline_id = a.pipeline_id
ORDER BY COALESCE(a.ratio, 0) DESC, a.pipeline_id;

-- name: cost_top_runs
-- A pipeline's costliest runs on one usage day, with what the run itself reported.
SELECT c.run_id, c.cost_aud, c.credits_used, c.warehouse_name, c.usage_date,
       r.status, r.start_ts, r.end_ts, r.duration_seconds, r.rows_processed, r.error_code,
       r.error_message, r.trigger_type, r.attempt
FROM RUN_COSTS c
LEFT JOIN PIPELINE_RUNS r ON r.run_id = c.run_id
WHERE c.pipeline_id = :pipeline_id
  AND c.usage_date = :day
ORDER BY c.cost_aud DESC NULLS LAST, c.run_id
LIMIT :limit;

-- name: cost_warehouses
-- Which warehouses a pipeline's cost landed on, on :day against the baseline days before it.
SELECT COALESCE(warehouse_name, 'unknown') AS warehouse_name,
       SUM(IFF(usage_date = :day, cost_aud, 0)) AS latest_cost_aud,
       SUM(IFF(usage_date < :day, cost_aud, 0)) AS baseline_cost_aud,
       COUNT_IF(usage_date = :day) AS latest_rows,
       COUNT_IF(usage_date < :day) AS baseline_rows
FROM RUN_COSTS
WHERE pipeline_id = :pipeline_id
  AND usage_date >= :baseline_start
  AND usage_date <= :day
GROUP BY COALESCE(warehouse_name, 'unknown')
ORDER BY latest_cost_aud DESC, warehouse_name;


-- ===================================================================== single runs (triage)

-- name: run_by_id
-- One run by id (ids are unique per source; the newest wins if a producer reused one).
SELECT run_id, pipeline_id, status, start_ts, end_ts, duration_seconds, rows_processed,
       error_code, error_message, trigger_type, attempt
FROM PIPELINE_RUNS
WHERE run_id = :run_id
ORDER BY start_ts DESC NULLS LAST, pipeline_id
LIMIT 1;

-- name: run_history
-- A pipeline's runs in a window: how many, how many failed, how many failed with one error code.
SELECT COUNT(*) AS runs,
       COUNT_IF(status = 'FAILED') AS failures,
       COUNT_IF(status = 'FAILED' AND error_code = :error_code) AS same_error_code,
       MAX(IFF(status = 'SUCCESS', end_ts, NULL)) AS last_success_end_ts
FROM PIPELINE_RUNS
WHERE pipeline_id = :pipeline_id AND start_ts >= :since AND start_ts <= :until;

-- name: run_cost
SELECT SUM(cost_aud) AS cost_aud, SUM(credits_used) AS credits_used, COUNT(*) AS cost_rows
FROM RUN_COSTS
WHERE run_id = :run_id;


-- ===================================================================== OpenLineage events as received

-- name: lineage_events
-- Events as received (LINEAGE_EVENTS), newest eventTime first; the page is chosen on the narrow
-- columns, then joined back for the event text.
WITH page AS (
    SELECT event_id, event_ts, received_ts, COUNT(*) OVER () AS total_rows
    FROM LINEAGE_EVENTS
    WHERE (:run_id IS NULL OR run_id = :run_id)
      AND (:job IS NULL OR job_name = :job)
      AND (:namespace IS NULL OR job_namespace = :namespace)
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
      AND (:since IS NULL OR event_ts >= :since)
    ORDER BY event_ts DESC, received_ts DESC, event_id DESC
    LIMIT :limit OFFSET :offset
)
SELECT e.event_id, e.received_ts, e.event_ts, e.event_type, e.kind, e.producer, e.run_id,
       e.job_namespace, e.job_name, e.pipeline_id, e.event, page.total_rows
FROM page JOIN LINEAGE_EVENTS e ON e.event_id = page.event_id
ORDER BY page.event_ts DESC, page.received_ts DESC, page.event_id DESC;

-- name: lineage_coverage
-- Events per producer and facet-name combination (few distinct ones); lineage_events.py sums them.
SELECT producer, run_facets, job_facets, dataset_facets, COUNT(*) AS events, MAX(event_ts) AS last_event_ts
FROM LINEAGE_EVENTS
WHERE (:since IS NULL OR event_ts >= :since)
GROUP BY producer, run_facets, job_facets, dataset_facets
ORDER BY producer, events DESC;

-- name: run_detail
-- One run with its pipeline's name and namespace (GET /api/runs/{run_id}; run_detail.py).
SELECT r.run_id, r.pipeline_id, p.pipeline_name, p.namespace, r.status, r.start_ts, r.end_ts,
       r.duration_seconds, r.rows_processed, r.error_code, r.error_message, r.trigger_type, r.attempt,
       r.nominal_ts
FROM PIPELINE_RUNS r
LEFT JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
WHERE r.run_id = :run_id
ORDER BY r.start_ts DESC NULLS LAST, r.pipeline_id
LIMIT 1;

-- name: run_states
-- A run's state changes in eventTime order (START before RUNNING before a terminal state at one time).
SELECT event_type, status, event_ts, MIN(sent_ts) AS sent_ts
FROM RUN_STATES
WHERE run_id = :run_id
GROUP BY event_type, status, event_ts
ORDER BY event_ts,
         CASE event_type WHEN 'START' THEN 0 WHEN 'RUNNING' THEN 1 WHEN 'OTHER' THEN 2 ELSE 3 END,
         event_type
LIMIT :limit;

-- name: run_parents
-- What the `parent` facets of a run's events named, earliest event first (the earliest wins).
SELECT parent_run_id, parent_pipeline_id, parent_namespace, parent_job, root_run_id,
       root_pipeline_id, event_ts
FROM RUN_PARENTS
WHERE run_id = :run_id
ORDER BY event_ts, parent_run_id
LIMIT 100;

-- name: run_children
-- The runs whose `parent` facet names this run (a dbt invocation's models, a DAG run's tasks).
WITH kids AS (SELECT DISTINCT run_id FROM RUN_PARENTS WHERE parent_run_id = :run_id)
SELECT r.run_id, r.pipeline_id, p.pipeline_name, r.status, r.start_ts, r.end_ts,
       COUNT(*) OVER () AS total_rows
FROM kids k
JOIN PIPELINE_RUNS r ON r.run_id = k.run_id
LEFT JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
ORDER BY r.start_ts, r.run_id
LIMIT :limit OFFSET :offset;

-- name: run_errors
-- The errors a run's events reported, each once (at the first eventTime that carried it).
SELECT facet, message, language, stack_trace, task, MIN(event_ts) AS event_ts
FROM RUN_ERRORS
WHERE run_id = :run_id
GROUP BY facet, message, language, stack_trace, task
ORDER BY MIN(event_ts), facet, message
LIMIT 100;

-- name: run_assertions
-- A run's data-quality assertions: the latest result of each (a failure wins a tie).
SELECT dataset_id, dataset_namespace, dataset_name, assertion, column_name, success, event_ts
FROM RUN_ASSERTIONS
WHERE run_id = :run_id
QUALIFY ROW_NUMBER() OVER (PARTITION BY dataset_id, assertion, column_name
                           ORDER BY event_ts DESC, success) = 1
ORDER BY dataset_name, assertion, column_name
LIMIT 500;

-- name: run_raw_events
-- The events of a run as received, newest first (their facets Control Tower does not map).
SELECT event_ts, event_type, event
FROM LINEAGE_EVENTS
WHERE run_id = :run_id
ORDER BY event_ts DESC, received_ts DESC
LIMIT :limit;

-- name: dq_failed_assertions
-- Failed data-quality assertions (their latest result) of SUCCESS runs, reported inside the
-- window: the `dq_assertion_failed` incidents (incidents.py), one per run.
WITH latest AS (
    SELECT run_id, pipeline_id, dataset_name, assertion, column_name, success, event_ts
    FROM RUN_ASSERTIONS
    WHERE event_ts >= :since
      AND event_ts <= :now
      AND (:pipeline_id IS NULL OR pipeline_id = :pipeline_id)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY run_id, dataset_id, assertion, column_name
                               ORDER BY event_ts DESC, success) = 1
)
SELECT l.run_id, l.pipeline_id, l.dataset_name, l.assertion, l.column_name, l.event_ts,
       r.start_ts, r.end_ts, r.attempt, p.pipeline_name, p.team, p.domain, p.owner, p.criticality,
       p.runbook_url
FROM latest l
JOIN PIPELINE_RUNS r ON r.run_id = l.run_id AND r.pipeline_id = l.pipeline_id
JOIN PIPELINES p ON p.pipeline_id = l.pipeline_id
WHERE NOT l.success
  AND r.status = 'SUCCESS'
  AND (:team IS NULL OR p.team = :team)
  AND (:domain IS NULL OR p.domain = :domain)
ORDER BY l.run_id, l.dataset_name, l.assertion, l.column_name;

-- name: pipeline_parents
-- The parent jobs a pipeline's runs named in their `parent` facets (RUN_PARENTS), newest first.
SELECT parent_pipeline_id, parent_namespace, parent_job, MAX(event_ts) AS last_seen_ts
FROM RUN_PARENTS
WHERE pipeline_id = :pipeline_id
  AND parent_pipeline_id IS NOT NULL
GROUP BY parent_pipeline_id, parent_namespace, parent_job
ORDER BY MAX(event_ts) DESC, parent_pipeline_id
LIMIT 20;

-- name: datasets_page
-- Datasets by (namespace, name): filters are exact namespace, a case-insensitive substring of the
-- name, the namespace's scheme (platform: snowflake, s3, bigquery, kafka, tableau, ...), kind and
-- whether deleted (a lifecycleStateChange DROP newer than the last write). Ordered by name, then
-- namespace and id (the order the control tier merges in).
WITH d AS (
  SELECT d.dataset_id, d.name, d.namespace, d.kind, d.owner, d.team, d.criticality,
         d.freshness_sla_minutes, d.last_updated_ts, f.event_ts AS dropped_ts,
         (f.event_ts IS NOT NULL AND (d.last_updated_ts IS NULL OR d.last_updated_ts <= f.event_ts)) AS deleted
  FROM DATASETS d
  LEFT JOIN DATASET_FACETS f
    ON f.dataset_id = d.dataset_id AND f.facet = 'lifecycleStateChange' AND f.state = 'DROP'
)
SELECT d.*, COUNT(*) OVER () AS total_rows
FROM d
WHERE (:namespace IS NULL OR d.namespace = :namespace)
  AND (:name_part IS NULL OR CONTAINS(LOWER(d.name), :name_part))
  AND (:platform IS NULL OR LOWER(SPLIT_PART(COALESCE(d.namespace, ''), '://', 1)) = :platform)
  AND (:kind IS NULL OR d.kind = :kind)
  AND (:deleted IS NULL OR d.deleted = :deleted)
ORDER BY d.name, COALESCE(d.namespace, ''), d.dataset_id
LIMIT :limit OFFSET :offset;

-- name: dataset_by_id
-- One dataset (its id, or the id of a path whose symlinks name it), with its DROP if any.
SELECT d.dataset_id, d.name, d.namespace, d.kind, d.owner, d.team, d.criticality,
       d.freshness_sla_minutes, d.last_updated_ts, f.event_ts AS dropped_ts
FROM DATASETS d
LEFT JOIN DATASET_FACETS f
  ON f.dataset_id = d.dataset_id AND f.facet = 'lifecycleStateChange' AND f.state = 'DROP'
WHERE d.dataset_id = COALESCE((SELECT s.dataset_id FROM DATASET_SYMLINKS s WHERE s.alias_id = :dataset_id
                               AND NOT EXISTS (SELECT 1 FROM DATASETS x WHERE x.dataset_id = :dataset_id)),
                              :dataset_id);

-- name: dataset_facets
-- The facets kept for one dataset: the newest value of each.
SELECT facet, event_ts, value FROM DATASET_FACETS WHERE dataset_id = :dataset_id ORDER BY facet;

-- name: dataset_symlinks
-- The paths whose symlinks name this dataset.
SELECT alias_id, alias_namespace, alias_name, event_ts FROM DATASET_SYMLINKS
WHERE dataset_id = :dataset_id ORDER BY alias_namespace, alias_name;

-- name: dataset_neighbours
-- Who writes the dataset (producer pipelines) and who reads it (consumer pipelines, and datasets it
-- feeds directly: dashboards, reports, ML models), one edge each.
SELECT 'producer' AS role, 'pipeline' AS node_kind, p.pipeline_id AS id, p.pipeline_name AS name,
       p.namespace, 'pipeline' AS kind, p.team, p.owner
FROM LINEAGE_EDGES e JOIN PIPELINES p ON p.pipeline_id = e.src_id
WHERE e.dst_id = :dataset_id AND LOWER(e.dst_kind) = 'dataset' AND LOWER(e.src_kind) = 'pipeline'
UNION ALL
SELECT 'consumer', 'pipeline', p.pipeline_id, p.pipeline_name, p.namespace, 'pipeline', p.team, p.owner
FROM LINEAGE_EDGES e JOIN PIPELINES p ON p.pipeline_id = e.dst_id
WHERE e.src_id = :dataset_id AND LOWER(e.src_kind) = 'dataset' AND LOWER(e.dst_kind) = 'pipeline'
UNION ALL
SELECT 'consumer', 'dataset', d.dataset_id, d.name, d.namespace, d.kind, d.team, d.owner
FROM LINEAGE_EDGES e JOIN DATASETS d ON d.dataset_id = e.dst_id
WHERE e.src_id = :dataset_id AND LOWER(e.src_kind) = 'dataset' AND LOWER(e.dst_kind) = 'dataset';

-- name: symlink_targets
-- The datasets the given path ids resolve to (column lineage names inputs as producers did).
SELECT alias_id, dataset_id FROM DATASET_SYMLINKS WHERE alias_id IN (:ids);

-- name: datasets_by_name
-- Stored datasets of the given names (column lineage names its inputs by namespace and name).
SELECT dataset_id, namespace, name FROM DATASETS WHERE name IN (:names);
