"""Read endpoints of a source API over HTTP, each against its bare SQL (scenarios 1, 2, 3 and 7).

For one data set: the source API under gunicorn (one worker, eight threads) on the data directory,
and bench/sqlbase.py on a copy of it (DuckDB lets one process open a file). Per figure, warm-up
on both, then per iteration one bare-SQL replay and one request, alternately, so a sample and its
baseline see the same machine; the ratio is taken per pair (median of the pairs' ratios). Requests
are timed server-side (gunicorn's request time) and by the client. The worker's peak RSS (VmHWM)
is read when the figures are done."""

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import PY, ROOT, SERVER_THREADS, Client, Server, base_env, median, peak_rss_mb, rss_mb, stats_ms


class BareSql:
    """bench/sqlbase.py on a copy of the data directory, one replay per `time(figure, i)`."""

    def __init__(self, dataset: dict, figures: dict):
        source = Path(dataset["data_dir"])
        self.tmp = Path(tempfile.mkdtemp(prefix="ct-bench-sql-", dir=source.parent))
        self.copy = self.tmp / "data"
        shutil.copytree(source, self.copy, ignore=shutil.ignore_patterns("access-*", "server-*"))
        spec = self.tmp / "spec.json"
        spec.write_text(json.dumps({"figures": {f: {"paths": j["paths"]} for f, j in figures.items()}}))
        self.errors = (self.tmp / "sqlbase.err").open("w")
        self.proc = subprocess.Popen(
            [PY, str(ROOT / "bench" / "sqlbase.py"), str(self.copy), str(spec)],
            cwd=ROOT,
            env=base_env(self.copy),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )
        first = self.proc.stdout.readline()
        if not first:
            self.close()
            raise SystemExit(f"bare-SQL baseline failed: {(self.tmp / 'sqlbase.err').read_text()[-4000:]}")
        self.statements = json.loads(first)

    def time(self, figure: str, index: int) -> float:
        self.proc.stdin.write(f"{figure} {index}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        self.errors.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def interleaved(server: Server, bare: BareSql, token: str, figure: str, job: dict) -> dict:
    client = Client(server.url, token)
    paths = job["paths"]
    for i in range(job.get("warmup", 2)):
        bare.time(figure, i)
        status, body, _ = client.get(paths[i % len(paths)])
        if status != 200:
            raise SystemExit(f"{paths[i % len(paths)]}: HTTP {status} {body[:300]!r}")
    offset = server.log_offset()
    client_s, sql_s, sizes, errors = [], [], [], 0
    for i in range(job["iterations"]):
        sql_s.append(bare.time(figure, i))
        status, body, took = client.get(paths[i % len(paths)])
        errors += status != 200
        client_s.append(took)
        sizes.append(len(body))
    server_s = _logged(server, offset, job["iterations"])
    return {"server_s": server_s, "client_s": client_s, "sql_s": sql_s, "errors": errors, "bytes": max(sizes)}


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
    bare = BareSql(dataset, figures) if figures else None
    # The figures time each answer's computation beside its bare SQL: the response cache is off.
    server = Server(Path(dataset["data_dir"]), CT_RESPONSE_CACHE_SECONDS="0")
    try:
        worker = server.worker_pid()
        started_rss = rss_mb(worker)
        measured = {f: interleaved(server, bare, dataset["token"], f, job) for f, job in figures.items()}
        peak = peak_rss_mb(worker)
    finally:
        server.stop()
        if bare:
            bare.close()
    extra = peak_after = None
    if then:  # load, as deployed: the response cache on (DuckDB lets one server hold the file)
        loaded = Server(Path(dataset["data_dir"]))
        try:
            extra = then(loaded)
            peak_after = peak_rss_mb(loaded.worker_pid())
        finally:
            loaded.stop()
    out = {}
    for fig, m in measured.items():
        api, sql = stats_ms(m["server_s"]), stats_ms(m["sql_s"])
        pairs = [a / b for a, b in zip(m["server_s"], m["sql_s"], strict=False) if b > 0]
        out[fig] = {
            "paths": figures[fig]["paths"][:3] + (["..."] if len(figures[fig]["paths"]) > 3 else []),
            "api_server_side": api,
            "api_client_side": stats_ms(m["client_s"]),
            "bare_sql": sql,
            "statements_per_request": bare.statements[fig],
            "ratio_median": round(median(pairs), 2) if pairs else None,
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
