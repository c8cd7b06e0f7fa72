"""Load a demo estate into a warehouse: pipelines, runs (streamed in chunks), datasets, lineage
and costs. The same rows land on every backend; DuckDB takes them as Arrow tables, Snowflake as
batched qmark inserts."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from pipelines_app import data_version, run_state
from pipelines_app.warehouse import Warehouse

from .catalog import PROFILES
from .dataset_facets import facet_table
from .estate import Dataset, Estate, Pipeline, build_estate
from .lineage import settle_freshness
from .run_costs import cost_table
from .runs import RunColumns, generate_runs

TABLES = (
    "PIPELINES",
    "PIPELINE_RUNS",
    "PIPELINE_RUN_STATE",
    "PIPELINE_RUN_DAYS",
    "DATASETS",
    "DATASET_FACETS",
    "LINEAGE_EDGES",
    "RUN_COSTS",
)
Progress = Callable[[str, int, int, float], None]  # (table, rows done, rows expected, seconds)


class DemoDataExists(Exception):
    """The warehouse already holds telemetry and --replace was not given."""


@dataclass
class LoadReport:
    source: str
    seed: int
    now: datetime
    rows: dict[str, int] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    seconds: float = 0.0


def records(items: list, columns: tuple[str, ...]) -> pa.Table:
    return pa.table({name: [getattr(item, name) for item in items] for name in columns})


def load_demo(
    warehouse: Warehouse,
    source: str,
    *,
    now: datetime,
    seed: int = 0,
    pipelines: int | None = None,
    days: int = 35,
    runs: int | None = None,
    replace: bool = False,
    chunk_rows: int = 250_000,
    progress: Progress | None = None,
) -> LoadReport:
    if source not in PROFILES:
        raise ValueError(f"unknown demo source {source!r}; use one of {', '.join(PROFILES)}")
    started = time.monotonic()
    tick = progress or (lambda *args: None)
    warehouse.create_schema()
    present = warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINES")["n"]
    if present and not replace:
        raise DemoDataExists(f"the warehouse already has {present} pipelines; use --replace to reload")
    for table in TABLES if replace else ():
        warehouse.execute(f"DELETE FROM {table}")
    estate = build_estate(source, seed=seed, now=now, days=days, pipelines=pipelines, runs_target=runs)
    report = LoadReport(source, seed, now)
    report.rows["PIPELINES"] = write(
        warehouse, "PIPELINES", records(estate.pipelines, Pipeline.TABLE_COLUMNS)
    )
    summaries = load_runs(warehouse, estate, seed, chunk_rows, tick, report)
    state_started = time.monotonic()
    run_state.refresh(warehouse)
    runs = report.rows["PIPELINE_RUNS"]
    tick("run rollups (runs rolled up)", runs, runs, time.monotonic() - state_started)
    settle_freshness(estate, {pid: s.last_success for pid, s in summaries.items()}, seed)
    datasets = list(estate.datasets.values())
    report.rows["DATASETS"] = write(warehouse, "DATASETS", records(datasets, Dataset.TABLE_COLUMNS))
    edges = pa.table(
        dict(
            zip(("src_id", "src_kind", "dst_id", "dst_kind"), zip(*estate.edges(), strict=True), strict=True)
        )
    )
    report.rows["LINEAGE_EDGES"] = write(warehouse, "LINEAGE_EDGES", edges)
    report.rows["DATASET_FACETS"] = write(warehouse, "DATASET_FACETS", facet_table(estate, now))
    costs, report.anomalies = cost_table(estate, summaries, seed)
    report.rows["RUN_COSTS"] = write(warehouse, "RUN_COSTS", costs)
    data_version.bump(warehouse)
    report.seconds = time.monotonic() - started
    return report


def load_runs(
    warehouse: Warehouse, estate: Estate, seed: int, chunk_rows: int, tick: Progress, report
) -> dict:
    expected = sum(p.expected_runs(estate.days) for p in estate.pipelines)
    started, done = time.monotonic(), 0
    cols, summaries = RunColumns(), {}
    for p in estate.pipelines:
        summaries[p.pipeline_id] = generate_runs(p, estate, seed, cols)
        if len(cols) >= chunk_rows or p is estate.pipelines[-1]:
            done += write(warehouse, "PIPELINE_RUNS", cols.to_arrow())
            cols.clear()
            tick("PIPELINE_RUNS", done, max(done, expected), time.monotonic() - started)
    report.rows["PIPELINE_RUNS"] = done
    return summaries


def write(warehouse: Warehouse, table: str, batch: pa.Table) -> int:
    warehouse.bulk_insert(table, batch)
    return batch.num_rows
