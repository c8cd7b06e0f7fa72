#!/usr/bin/env python
"""The bare-SQL baseline of an endpoint: the statements it sends to DuckDB, replayed on a raw cursor.

Runs in its own process on a copy of the data directory (the source API holds the original file),
driven over stdin/stdout so that its samples interleave with the API's requests and both see the
same machine. First each path of each figure is requested twice through Django's test client,
and the warehouse records every statement of the second, warm request (transpiled text and binds;
in-process caches such as the lineage graph are built by then, as in the warmed-up server); then each
`<figure> <i>` line replays the recorded statements of path i back to back on a cursor of the
same DuckDB connection, fetching every row (`fetchall()`), and answers the wall time in seconds.
No Django, no transpile, no row conversion, no rendering: DuckDB's own work, the floor an endpoint
is compared with.

    python bench/sqlbase.py DATA_DIR SPEC_JSON
    SPEC_JSON: {"figures": {"<id>": {"paths": [...]}}}; first line out: {"<id>": statements per request}
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
        # The warm request must run its SQL: a cached answer would record no statement (a 0 ms baseline).
        CT_RESPONSE_CACHE_SECONDS="0",
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
            for _ in range(2):  # the second, warm request: in-process caches (lineage graph, ...) built
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
    data_dir, spec_path = sys.argv[1:3]
    setup(data_dir)
    from pipelines_app.warehouse import get_warehouse

    spec = json.loads(Path(spec_path).read_text())
    recorded = {figure: record(job["paths"]) for figure, job in spec["figures"].items()}
    cursor = get_warehouse()._connection().cursor()
    counts = {f: round(sum(map(len, per_path)) / len(per_path), 1) for f, per_path in recorded.items()}
    print(json.dumps(counts), flush=True)
    for line in sys.stdin:
        figure, index = line.split()
        per_path = recorded[figure]
        print(replay(cursor, per_path[int(index) % len(per_path)]), flush=True)


if __name__ == "__main__":
    main()
