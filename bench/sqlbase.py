#!/usr/bin/env python
"""The bare-SQL baseline of an endpoint: the statements it sends to DuckDB, replayed on a raw cursor.

Run in its own process on a data directory (before the source API opens the DuckDB file):
each path is requested once through Django's test client while the warehouse records every
statement (transpiled text and binds); then, per iteration, the recorded statements of the next
path are executed back to back on a cursor of the same DuckDB connection and fetched
(`fetchall()`), and the wall time is one sample. No Django, no transpile, no row conversion, no
rendering: what is left is DuckDB's own work, the floor an endpoint's time is compared with.

    python bench/sqlbase.py DATA_DIR SPEC_JSON OUT_JSON
    SPEC_JSON: {"figures": {"<id>": {"paths": [...], "iterations": n, "warmup": w}}}
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(data_dir: str) -> None:
    os.environ.update(
        CT_DATA_DIR=data_dir,
        CT_WAREHOUSE_BACKEND="duckdb",
        CT_PUBLIC_READ="1",
        DJANGO_SETTINGS_MODULE="controltower.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def record(paths: list[str]) -> list[list[tuple[str, list]]]:
    from django.test import Client

    from pipelines_app.warehouse import duckdb_backend

    recorded: list[tuple[str, list]] = []
    original = duckdb_backend.DuckDBWarehouse._run

    def recording(self, sql, params):
        recorded.append((duckdb_backend.to_duckdb(sql), list(params)))
        return original(self, sql, params)

    duckdb_backend.DuckDBWarehouse._run = recording
    client, out = Client(), []
    try:
        for path in paths:
            recorded.clear()
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
            out.append(list(recorded))
    finally:
        duckdb_backend.DuckDBWarehouse._run = original
    return out


def replay(cursor, statements: list[tuple[str, list]]) -> float:
    started = time.perf_counter()
    for sql, params in statements:
        cursor.execute(sql, params).fetchall()
    return time.perf_counter() - started


def main() -> None:
    data_dir, spec_path, out_path = sys.argv[1:4]
    setup(data_dir)
    from pipelines_app.warehouse import get_warehouse

    spec = json.loads(Path(spec_path).read_text())
    results = {}
    for figure, job in spec["figures"].items():
        per_path = record(job["paths"])
        cursor = get_warehouse()._connection().cursor()
        for i in range(job.get("warmup", 2)):
            replay(cursor, per_path[i % len(per_path)])
        samples = [replay(cursor, per_path[i % len(per_path)]) for i in range(job["iterations"])]
        results[figure] = {
            "statements_per_request": round(sum(map(len, per_path)) / len(per_path), 1),
            "samples_s": samples,
        }
        cursor.close()
    Path(out_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
