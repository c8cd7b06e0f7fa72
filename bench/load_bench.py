"""Scenario 6: throughput of a read endpoint under concurrent load on loopback.

Closed loop at rising concurrency (connections) against a running source API; per level:
requests/s, latency p50/p95/p99 and errors. The figure is the highest requests/s of a level whose
p95 is within the aim and had no errors. The load tool is wrk (Debian package `wrk`) when it is on
PATH, otherwise a Python closed-loop generator (threads, keep-alive) — the results say which;
BENCH_LOAD_TOOL=python (or wrk) chooses.
Either runs on the same cores as the server."""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from common import Client, p95

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def with_wrk(url: str, token: str, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
    cmd = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds:.0f}s",
           "--timeout", "30s", "-H", f"Authorization: Token {token}", "-s", f.name, url]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    Path(f.name).unlink()
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    requests, duration_us, p50, p95_us, p99, errors, status_errors = map(int, line.split()[1:])
    return {
        "requests_per_s": round(requests / (duration_us / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95_us / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "errors": errors + status_errors,
        "requests": requests,
    }


def with_python(url: str, token: str, connections: int, seconds: float) -> dict:
    base, _, path = url.partition("/api")
    path = "/api" + path
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        client = Client(base, token)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            status, _, took = client.get(path)
            mine.append(took)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p95_ms": round(p95(latencies) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        "errors": errors[0],
        "requests": len(latencies),
    }


def run(url: str, token: str, levels: list[int], seconds: float, aim_p95_ms: float) -> dict:
    tool = os.environ.get("BENCH_LOAD_TOOL") or ("wrk" if shutil.which("wrk") else "python")
    drive = with_wrk if tool == "wrk" else with_python
    drive(url, token, 1, 1)  # warm-up
    rows = []
    for connections in levels:
        row = {"connections": connections, **drive(url, token, connections, seconds)}
        rows.append(row)
        if row["p95_ms"] > 2 * aim_p95_ms:
            break  # past saturation: more connections only queue
    within = [r for r in rows if r["p95_ms"] <= aim_p95_ms and r["errors"] == 0]
    best = max(within, key=lambda r: r["requests_per_s"], default=None)
    return {
        "tool": tool,
        "url_path": "/api" + url.partition("/api")[2],
        "seconds_per_level": seconds,
        "levels": rows,
        "best": best,
        "errors_total": sum(r["errors"] for r in rows),
    }


def ingest_shows_next(base: str, token: str, writer_token: str, path: str = "/api/summary") -> dict:
    """After the load (answers kept in the response cache): one OpenLineage event for a new job,
    then the very next GET of `path` must count one pipeline more, and the job's own page exist."""
    reader = Client(base, token)
    before = json.loads(reader.get(path)[1])["pipelines"]
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    event = {
        "eventType": "START",
        "eventTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "producer": "https://example.com/bench",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "bench", "name": f"freshness-{uuid.uuid4().hex[:8]}"},
        "inputs": [],
        "outputs": [],
    }
    headers = {"Authorization": f"Token {writer_token}", "Content-Type": "application/json"}
    conn.request("POST", "/api/v1/lineage", body=json.dumps(event), headers=headers)
    posted = conn.getresponse()
    pipeline_id = json.loads(posted.read()).get("pipeline_id", "")
    after = json.loads(reader.get(path)[1])["pipelines"]
    status = reader.get(f"/api/pipelines/{pipeline_id}")[0]
    return {
        "ingest_status": posted.status,
        "pipelines_before": before,
        "pipelines_next_read": after,
        "new_pipeline_status": status,
        "ok": posted.status == 200 and after == before + 1 and status == 200,
    }
