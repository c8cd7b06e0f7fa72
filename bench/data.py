"""Benchmark data sets, built by the project's own generators under var/bench/<name>/.

- `demo_dataset(runs, source="aws")`: `manage.py load_demo --source aws --runs N` (pipelines_app/demo;
  the control-tier scenarios also build "azure"), then two
  layout steps, stated in the results:
  * PIPELINE_RUNS in start_ts order, as ingest appends runs when they start (the loader writes
    pipeline by pipeline, which no live estate looks like; time order lets DuckDB's zone maps, and
    Snowflake's micro-partition pruning, skip what a time window excludes);
  * RUN_COSTS at run grain: each demo daily cost row (pipeline x usage day) is split over that
    day's finished runs in proportion to their duration, so daily totals — and the injected
    anomalies — stay as generated while the table grows to one row per run (~N rows).
- `impact_dataset(pipelines, readers)`: bench/impact_bench.py's layered lineage DAG (60k jobs, ~200k
  edges; 200k jobs, ~1M edges with its READERS_1M).

Each data set carries a viewer token and `dataset.json` (sizes, `now`); `--reuse-data` keeps one
that exists (the demo's `now` is then when it was built)."""

import json
import shutil
import subprocess
import time
from pathlib import Path

from common import PY, ROOT, base_env, manage

BENCH_DATA = ROOT / "var" / "bench"

PER_RUN_COSTS = """
CREATE TABLE RUN_COSTS_BY_RUN AS
WITH runs AS (
    SELECT run_id, pipeline_id, CAST(start_ts AS DATE) AS usage_date,
           GREATEST(COALESCE(duration_seconds, 0), 1) AS w
    FROM PIPELINE_RUNS
    WHERE end_ts IS NOT NULL
),
weighted AS (
    SELECT r.run_id, r.pipeline_id, r.usage_date, c.warehouse_name,
           r.w / SUM(r.w) OVER (PARTITION BY r.pipeline_id, r.usage_date) AS share,
           c.cost_aud, c.credits_used
    FROM runs r
    JOIN RUN_COSTS c ON c.pipeline_id = r.pipeline_id AND c.usage_date = r.usage_date
)
SELECT run_id, pipeline_id, usage_date,
       CAST(ROUND(cost_aud * share, 4) AS DECIMAL(14, 4)) AS cost_aud,
       CAST(ROUND(credits_used * share, 4) AS DECIMAL(14, 4)) AS credits_used,
       warehouse_name
FROM weighted
ORDER BY usage_date, pipeline_id, run_id
"""


def _prepare(data_dir: Path) -> dict:
    env = base_env(data_dir)
    manage(env, "migrate", "--noinput")
    token = manage(env, "ct_user", "bench", "--role", "viewer", "--rotate-token").splitlines()[-1]
    return {"env": env, "token": token}


def _layout(path: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE RUNS_BY_TIME AS SELECT * FROM PIPELINE_RUNS ORDER BY start_ts, run_id")
        con.execute("DROP TABLE PIPELINE_RUNS")
        con.execute("ALTER TABLE RUNS_BY_TIME RENAME TO PIPELINE_RUNS")
        daily = con.execute("SELECT COUNT(*) FROM RUN_COSTS").fetchone()[0]
        con.execute(PER_RUN_COSTS)
        con.execute("DROP TABLE RUN_COSTS")
        con.execute("ALTER TABLE RUN_COSTS_BY_RUN RENAME TO RUN_COSTS")
        con.execute("CHECKPOINT")
        counts = {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("PIPELINES", "PIPELINE_RUNS", "DATASETS", "LINEAGE_EDGES", "RUN_COSTS")
        }
    finally:
        con.close()
    return {"rows": counts, "demo_daily_cost_rows": daily}


def _fresh(name: str, reuse: bool) -> tuple[Path, dict | None]:
    """(the data set's directory, its description when --reuse-data finds one; else emptied)."""
    data_dir = BENCH_DATA / name
    marker = data_dir / "dataset.json"
    if reuse and marker.exists():
        return data_dir, json.loads(marker.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    return data_dir, None


def demo_dataset(runs: int, *, reuse: bool = False, source: str = "aws") -> dict:
    name = f"demo-{runs}" if source == "aws" else f"demo-{source}-{runs}"
    data_dir, kept = _fresh(name, reuse)
    if kept:
        return kept
    marker = data_dir / "dataset.json"
    started = time.monotonic()
    prepared = _prepare(data_dir)
    out = manage(prepared["env"], "load_demo", "--source", source, "--runs", str(runs))
    loaded = time.monotonic() - started
    layout = _layout(data_dir / "telemetry.duckdb")
    info = {
        "name": name,
        "data_dir": str(data_dir),
        "generator": f"manage.py load_demo --source {source} --runs {runs}",
        "load_summary": out.splitlines()[-2] if len(out.splitlines()) > 1 else out,
        "layout": "PIPELINE_RUNS in start_ts order; RUN_COSTS split to run grain (see bench/data.py)",
        **layout,
        "file_mb": round((data_dir / "telemetry.duckdb").stat().st_size / 2**20, 1),
        "load_seconds": round(loaded, 1),
        "layout_seconds": round(time.monotonic() - started - loaded, 1),
        "token": prepared["token"],
    }
    marker.write_text(json.dumps(info, indent=2) + "\n")
    return info


BUILD_IMPACT = """
import json, sys
sys.path[:0] = [{bench!r}, {root!r}]
import django
django.setup()
import impact_bench
print(json.dumps(impact_bench.build({path!r}, {pipelines}, {readers!r})))
"""


def impact_dataset(pipelines: int, *, reuse: bool = False, readers: tuple[int, ...] | None = None) -> dict:
    """bench/impact_bench.py's graph of `pipelines` jobs (readers per dataset: its READERS unless given)."""
    import impact_bench

    readers = tuple(readers or impact_bench.READERS)
    wide = "" if readers == impact_bench.READERS else "-r" + "".join(map(str, readers))
    name = f"impact-{pipelines}{wide}"
    data_dir, kept = _fresh(name, reuse)
    if kept:
        return kept
    marker = data_dir / "dataset.json"
    prepared = _prepare(data_dir)
    started = time.monotonic()
    path = str(data_dir / "telemetry.duckdb")
    code = BUILD_IMPACT.format(
        bench=str(ROOT / "bench"), root=str(ROOT), path=path, pipelines=pipelines, readers=readers
    )
    done = subprocess.run([PY, "-c", code], cwd=ROOT, env=prepared["env"], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"impact graph build failed:\n{done.stderr[-4000:]}")
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    info = {
        "name": name,
        "data_dir": str(data_dir),
        "generator": f"bench/impact_bench.py build({pipelines}, readers={list(readers)})",
        "rows": counts,
        "build_seconds": round(time.monotonic() - started, 1),
        "token": prepared["token"],
    }
    marker.write_text(json.dumps(info, indent=2) + "\n")
    return info
