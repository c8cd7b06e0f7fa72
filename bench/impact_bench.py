#!/usr/bin/env python
"""Impact (lineage BFS) benchmark on the embedded DuckDB warehouse.

Builds a layered lineage DAG of 60k pipelines and ~200k edges in a temporary DuckDB file
(10 layers; each pipeline writes 1-2 datasets, each dataset is read by 0-3 pipelines of the next
layer — 1-5 with `readers=READERS_1M`, which gives 200k pipelines ~1M edges — ~10 % of datasets
feed one of 5,000 dashboards/reports/ML models, the last layer feeds
them all), then times `pipelines_app.impact.pipeline_impact` — the whole endpoint body: the
pipeline lookup, the lineage graph's check, the walk and the node-detail lookups — for random
pipelines at a shallow explicit depth (5) and the default (20, also the maximum).

    .venv/bin/python bench/impact_bench.py [--samples 200] [--pipelines 60000]

Prints p50/p95/max per depth and writes bench/results/impact.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "impact.json"
LAYERS = 10
CONSUMERS = 5000
SHALLOW = 5  # an explicit `?depth=`, beside the default walk


READERS = (0, 1, 1, 2, 3)  # readers in the next layer per dataset, one drawn per dataset: mean 1.4
READERS_1M = (1, 2, 3, 3, 4, 5)  # mean 3: 200k pipelines give ~1M edges


def build(path: Path, pipelines: int, readers: tuple[int, ...] = READERS) -> dict:
    import duckdb

    from pipelines_app.warehouse.base import schema_statements
    from pipelines_app.warehouse.duckdb_backend import to_duckdb

    per_layer = pipelines // LAYERS
    con = duckdb.connect(str(path))
    for statement in schema_statements():
        con.execute(to_duckdb(statement))
    con.execute(
        f"""INSERT INTO PIPELINES (pipeline_id, pipeline_name, team, domain, criticality, is_active)
        SELECT 'p' || i, 'pipeline_' || i, 'team' || (i % 40), 'domain' || (i % 8),
               ['critical', 'high', 'medium', 'low'][1 + i % 4], TRUE
        FROM range({pipelines}) t(i)"""
    )
    # pipeline i writes d<i>_0, and d<i>_1 for 30 % of pipelines
    con.execute(
        f"""CREATE TEMP TABLE ds AS
        SELECT 'd' || i || '_' || k AS id, i // {per_layer} AS layer, hash(i, k) AS h
        FROM range({pipelines}) t(i), range(2) u(k) WHERE k = 0 OR i % 10 < 3"""
    )
    con.execute(
        """INSERT INTO DATASETS (dataset_id, name, kind, criticality)
        SELECT id, id, 'table', 'medium' FROM ds"""
    )
    con.execute(
        f"""INSERT INTO DATASETS (dataset_id, name, kind, criticality)
        SELECT 'c' || i, 'consumer_' || i, ['dashboard', 'report', 'ml_model'][1 + i % 3],
               ['critical', 'high', 'medium', 'low'][1 + i % 4]
        FROM range({CONSUMERS}) t(i)"""
    )
    con.execute(
        """INSERT INTO LINEAGE_EDGES
        SELECT 'p' || split_part(substr(id, 2), '_', 1), 'pipeline', id, 'dataset' FROM ds"""
    )
    # readers in the next layer: one of `readers` per dataset
    con.execute(
        f"""INSERT INTO LINEAGE_EDGES
        SELECT DISTINCT id, 'dataset',
               'p' || ((layer + 1) * {per_layer} + (hash(id, m) % {per_layer})::BIGINT), 'pipeline'
        FROM ds, range({max(readers)}) r(m)
        WHERE layer < {LAYERS - 1} AND m < {list(readers)}[(1 + h % {len(readers)})::BIGINT]"""
    )
    con.execute(
        f"""INSERT INTO LINEAGE_EDGES
        SELECT id, 'dataset', 'c' || ((hash(id, 'c') % {CONSUMERS})::BIGINT), 'dataset'
        FROM ds WHERE layer = {LAYERS - 1} OR h % 10 = 0"""
    )
    counts = {
        "pipelines": con.execute("SELECT COUNT(*) FROM PIPELINES").fetchone()[0],
        "datasets": con.execute("SELECT COUNT(*) FROM DATASETS").fetchone()[0],
        "edges": con.execute("SELECT COUNT(*) FROM LINEAGE_EDGES").fetchone()[0],
    }
    con.close()
    return counts


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--pipelines", type=int, default=60000)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ct-impact-bench-"))
    os.environ.update(
        CT_DATA_DIR=str(data_dir),
        CT_WAREHOUSE_BACKEND="duckdb",
        CT_DUCKDB_PATH=str(data_dir / "telemetry.duckdb"),
        DJANGO_SETTINGS_MODULE="controltower.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from pipelines_app import impact

    started = time.perf_counter()
    counts = build(data_dir / "telemetry.duckdb", args.pipelines)
    print(f"built {counts} in {time.perf_counter() - started:.1f}s")

    rng = random.Random(7)
    origins = [f"p{rng.randrange(args.pipelines)}" for _ in range(args.samples)]
    impact.pipeline_impact(origins[0])  # warm: connection, transpile cache
    results = {}
    for depth in (SHALLOW, impact.DEFAULT_DEPTH):
        times, nodes, truncated = [], [], 0
        for pid in origins:
            t0 = time.perf_counter()
            body = impact.pipeline_impact(pid, depth)
            times.append((time.perf_counter() - t0) * 1000)
            nodes.append(body["nodes_count"])
            truncated += body["truncated"]
        results[f"depth_{depth}"] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1),
            "mean_nodes": round(statistics.mean(nodes), 1),
            "max_nodes": max(nodes),
            "truncated": truncated,
        }
        print(f"depth {depth:2d}: {results[f'depth_{depth}']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "graph": counts,
                "samples": args.samples,
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
