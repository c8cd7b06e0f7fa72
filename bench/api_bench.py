"""Read endpoints of a source API over HTTP, each against its bare SQL (scenarios 1, 2, 3 and 7).

For one data set: the bare-SQL baseline first (bench/sqlbase.py, its own process, before the API
opens the DuckDB file), then the source API under gunicorn (one worker, eight threads): per figure,
warm-up requests, then sequential requests, timed server-side (gunicorn's request time) and by the
client. The worker's peak RSS (VmHWM) is read when the figures are done."""

import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import PY, ROOT, SERVER_THREADS, Client, Server, base_env, peak_rss_mb, rss_mb, stats_ms


def bare_sql(dataset: dict, figures: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="ct-bench-sql-") as tmp:
        spec, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps({"figures": figures}))
        data_dir = Path(dataset["data_dir"])
        done = subprocess.run(
            [PY, str(ROOT / "bench" / "sqlbase.py"), str(data_dir), str(spec), str(out)],
            cwd=ROOT,
            env=base_env(data_dir),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"bare-SQL baseline failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return json.loads(out.read_text())


def over_http(server: Server, token: str, job: dict) -> dict:
    client = Client(server.url, token)
    paths = job["paths"]
    for i in range(job.get("warmup", 2)):
        status, body, _ = client.get(paths[i % len(paths)])
        if status != 200:
            raise SystemExit(f"{paths[i % len(paths)]}: HTTP {status} {body[:300]!r}")
    offset = server.log_offset()
    client_s, sizes, errors = [], [], 0
    for i in range(job["iterations"]):
        status, body, took = client.get(paths[i % len(paths)])
        errors += status != 200
        client_s.append(took)
        sizes.append(len(body))
    server_s = _logged(server, offset, job["iterations"])
    return {"server_s": server_s, "client_s": client_s, "errors": errors, "bytes": max(sizes)}


def _logged(server: Server, offset: int, expected: int) -> list[float]:
    """gunicorn writes the access line after the response: wait for the last one."""
    for _ in range(50):
        times = server.server_times(offset)
        if len(times) >= expected:
            return times
        time.sleep(0.05)
    return times


def measure(dataset: dict, figures: dict, then: Callable[[Server], dict] | None = None) -> dict:
    """{figure: {api (server-side), client, bare_sql, ratio, ...}, "_process": {peak RSS},
    "_then": what `then(server)` returned (run on the same server after the figures)}."""
    bare = bare_sql(dataset, figures)
    server = Server(Path(dataset["data_dir"]))
    try:
        worker = server.worker_pid()
        started_rss = rss_mb(worker)
        measured = {fig: over_http(server, dataset["token"], job) for fig, job in figures.items()}
        peak = peak_rss_mb(worker)
        extra = then(server) if then else None
        peak_after = peak_rss_mb(worker)
    finally:
        server.stop()
    out = {}
    for fig, m in measured.items():
        api, sql = stats_ms(m["server_s"]), stats_ms(bare[fig]["samples_s"])
        out[fig] = {
            "paths": figures[fig]["paths"][:3] + (["..."] if len(figures[fig]["paths"]) > 3 else []),
            "api_server_side": api,
            "api_client_side": stats_ms(m["client_s"]),
            "bare_sql": sql,
            "statements_per_request": bare[fig]["statements_per_request"],
            "ratio_median": round(api["median_ms"] / sql["median_ms"], 2) if sql["median_ms"] else None,
            "ratio_p95": round(api["p95_ms"] / sql["p95_ms"], 2) if sql["p95_ms"] else None,
            "errors": m["errors"],
            "response_bytes": m["bytes"],
        }
    out["_process"] = {
        "worker_rss_at_start_mb": started_rss,
        "worker_peak_rss_mb": peak,
        "worker_peak_rss_after_load_mb": peak_after if then else None,
        "threads": SERVER_THREADS,
    }
    out["_then"] = extra
    return out
