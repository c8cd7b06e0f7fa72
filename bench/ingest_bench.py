#!/usr/bin/env python
"""OpenLineage ingest benchmark against a live source API.

Starts the source API under gunicorn (one worker, gthread) on a temporary CT_DATA_DIR with the
embedded DuckDB warehouse, then measures over real HTTP:

1. single   — closed loop, CLIENTS threads each POST one RunEvent per request to /api/v1/lineage;
2. batched  — closed loop, CLIENTS threads each POST BATCH events per request to /api/v1/lineage/batch;
3. burst    — open loop at 20x the single-event rate, batched, for 60 s (--quick: a few seconds).
A baseline phase first measures GET /version (no warehouse) as the floor of a Django request.

Every run is a START and a COMPLETE event (one input, one output dataset). After the server stops,
the DuckDB file is opened and every run whose two events were accepted must be there exactly once,
SUCCESS, with start_ts < end_ts: "lost" counts the ones that are not.

    .venv/bin/python bench/ingest_bench.py [--quick] [--clients 16] [--threads 16] [--dataset-facets]

Prints the figures and writes bench/results/ingest.json.
"""

import argparse
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from common import UNTHROTTLED, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ingest.json"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
T0 = datetime(2026, 11, 20, tzinfo=UTC)
BURST_INTERVAL_S = 0.5
DATASET_FACETS: dict = {}  # --dataset-facets: the schema and columnLineage every output carries


def dataset_facets() -> dict:
    """An output's facets as dbt or Spark send them: a 12-column schema, each column's lineage."""
    columns = [f"c{i}" for i in range(12)]
    schema = {"fields": [{"name": c, "type": "NUMBER", "description": f"column {c}"} for c in columns]}
    inputs = {c: {"inputFields": [{"namespace": "snowflake://bench", "name": "RAW.T0", "field": c,
                                   "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]}
              for c in columns}  # fmt: skip
    return {"schema": schema, "columnLineage": {"fields": inputs}}


def event(event_type: str, run_id: str, seq: int, seconds: int) -> dict:
    when = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return {
        "eventType": event_type,
        "eventTime": when,
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "run": {"runId": run_id},
        "job": {"namespace": "bench", "name": f"job_{seq % 200}"},
        "inputs": [{"namespace": "snowflake://bench", "name": f"RAW.T{seq % 50}"}],
        "outputs": [
            {"namespace": "snowflake://bench", "name": f"MART.T{seq % 200}", "facets": DATASET_FACETS}
        ],
    }


def run_pair(seq: int) -> tuple[str, dict, dict]:
    run_id = str(uuid.uuid4())
    return run_id, event("START", run_id, seq, seq), event("COMPLETE", run_id, seq, seq + 90)


class Client:
    """One keep-alive HTTP connection; retries a request on a dropped connection."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, path: str, body: bytes) -> tuple[int, bytes, float]:
        for attempt in range(4):
            started = time.perf_counter()
            try:
                self.conn.request("POST", path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, payload, time.perf_counter() - started
            except (TimeoutError, ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.events = 0
        self.runs = 0
        self.errors = 0

    def add(self, latency: float, events: int, runs: int, ok: bool) -> None:
        with self.lock:
            self.latencies.append(latency)
            if ok:
                self.events += events
                self.runs += runs
            else:
                self.errors += 1


class Seq:
    def __init__(self):
        self._next = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> int:
        with self._lock:
            start, self._next = self._next, self._next + n
            return start


def single_worker(client: Client, seq: Seq, tally: Tally, deadline: float) -> None:
    while time.perf_counter() < deadline:
        _, start, complete = run_pair(seq.take(1))
        oks = []
        for body in (start, complete):
            status, _, latency = client.post("/api/v1/lineage", orjson.dumps(body))
            oks.append(status == 200)
            tally.add(latency, 1, 0, status == 200)
        if all(oks):
            with tally.lock:
                tally.runs += 1


def batch_body(seq: Seq, events: int) -> bytes:
    first = seq.take(events // 2)
    items = []
    for n in range(first, first + events // 2):
        _, start, complete = run_pair(n)
        items += [start, complete]
    return orjson.dumps(items)


def post_batch(client: Client, body: bytes, events: int, tally: Tally) -> None:
    status, payload, latency = client.post("/api/v1/lineage/batch", body)
    ok = status == 200 and orjson.loads(payload)["accepted"] == events
    tally.add(latency, events, events // 2, ok)


def batch_worker(client: Client, seq: Seq, tally: Tally, deadline: float, events: int) -> None:
    while time.perf_counter() < deadline:
        post_batch(client, batch_body(seq, events), events, tally)


def burst_worker(client, seq, tally, start, deadline, interval, events, lag: list) -> None:
    n = 0
    while True:
        due = start + n * interval
        if due >= deadline:
            return
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        else:
            lag.append(-wait)
        post_batch(client, batch_body(seq, events), events, tally)
        n += 1


class WorkerCPU:
    """CPU seconds the gunicorn worker has used (Linux /proc; None elsewhere). A phase's CPU per event
    against its cores in use tells a serial limit (one core: the GIL) from a starved machine."""

    stat: Path | None = None

    def attach(self, server: subprocess.Popen) -> None:
        try:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            self.stat = Path(f"/proc/{children[0]}/stat")  # one worker: the master's only child
        except (OSError, IndexError):
            self.stat = None

    def seconds(self) -> float | None:
        if self.stat is None:
            return None
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


WORKER = WorkerCPU()


def with_cpu(result: dict, cpu_before: float | None, elapsed: float) -> dict:
    cpu_after = WORKER.seconds()
    if cpu_before is None or cpu_after is None:
        return result
    used = cpu_after - cpu_before
    per = result["events_accepted"] or result["requests"]  # the baseline phase counts requests
    result["server_cpu_ms_per_event"] = round(1000 * used / max(per, 1), 2)
    result["server_cores_busy"] = round(used / elapsed, 2)
    return result


def phase(name: str, target, clients: list[Client], *args) -> dict:
    tally = Tally()
    cpu = WORKER.seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=target, args=(c, *args[:1], tally, *args[1:])) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return with_cpu(summarise(name, tally, elapsed), cpu, elapsed)


def summarise(name: str, tally: Tally, elapsed: float) -> dict:
    lat = sorted(tally.latencies) or [0.0]

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1)

    return {
        "phase": name,
        "seconds": round(elapsed, 1),
        "requests": len(tally.latencies),
        "events_accepted": tally.events,
        "runs": tally.runs,
        "events_per_s": round(tally.events / elapsed, 1),
        "latency_ms": {
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "mean": round(statistics.mean(lat) * 1000, 1),
        },
        "errors": tally.errors,
    }


def run_burst(clients, seq, rate: float, seconds: float) -> dict:
    """Open loop: every client sends a batch every INTERVAL seconds, sized so that all together
    offer `rate` events/s; a client that falls behind sends at once (its lag is recorded)."""
    events = max(2, 2 * round(rate * BURST_INTERVAL_S / len(clients) / 2))
    interval = len(clients) * events / rate
    tally, lag = Tally(), []
    cpu = WORKER.seconds()
    start = time.perf_counter() + 0.2
    deadline = start + seconds
    threads = [
        threading.Thread(target=burst_worker, args=(c, seq, tally, start, deadline, interval, events, lag))
        for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(time.perf_counter() - start, seconds)
    result = with_cpu(summarise("burst", tally, elapsed), cpu, time.perf_counter() - start)
    result.update(
        target_events_per_s=round(rate, 1),
        kept_up=result["events_per_s"] >= 0.95 * rate and max(lag, default=0.0) < 1.0,
        max_schedule_lag_s=round(max(lag, default=0.0), 2),
        batch_events=events,
        batch_interval_s=round(interval, 3),
    )
    return result


def baseline_worker(client: Client, _seq, tally: Tally, deadline: float) -> None:
    """A request Django answers without the warehouse (GET /version): the floor of a request."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        client.conn.request("GET", "/version", headers=client.headers)
        response = client.conn.getresponse()
        response.read()
        tally.add(time.perf_counter() - started, 1, 0, response.status == 200)


# -- server --------------------------------------------------------------------------------------
def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def start_server(env: dict, port: int, threads: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "controltower.wsgi", "--workers", "1", "--worker-class", "gthread",
           "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
           "--keep-alive", "30", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status in (200, 503):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the source API did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def warehouse_counts(path: Path) -> dict:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        runs, complete, distinct = con.execute(
            "SELECT COUNT(*), COUNT_IF(status = 'SUCCESS' AND start_ts < end_ts), COUNT(DISTINCT run_id) "
            "FROM PIPELINE_RUNS"
        ).fetchone()
        pipelines, datasets, edges = (
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("PIPELINES", "DATASETS", "LINEAGE_EDGES")
        )
        raw_events = con.execute("SELECT COUNT(*) FROM LINEAGE_EVENTS").fetchone()[0]  # as received
    return {"run_rows": runs, "complete_runs": complete, "distinct_runs": distinct,
            "pipelines": pipelines, "datasets": datasets, "lineage_edges": edges,
            "raw_events": raw_events}  # fmt: skip


# -- main ----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="seconds instead of a minute")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads")
    parser.add_argument("--batch", type=int, default=200, help="events per batch request (closed loop)")
    parser.add_argument("--dataset-facets", action="store_true", help="outputs carry schema + columnLineage")
    args = parser.parse_args()
    DATASET_FACETS.update(dataset_facets() if args.dataset_facets else {})
    steady, burst_s = (4.0, 6.0) if args.quick else (20.0, 60.0)

    with tempfile.TemporaryDirectory(prefix="ct-bench-ingest-") as data_dir:
        env = {**os.environ, "CT_DATA_DIR": data_dir, "CT_WAREHOUSE_BACKEND": "duckdb", "DEBUG": "0",
               "SECRET_KEY": "bench-only", "CT_MAX_BODY_BYTES": str(50 * 1024 * 1024),
               **UNTHROTTLED}  # fmt: skip
        env.pop("CT_DUCKDB_PATH", None)
        manage(env, "migrate", "--noinput")
        manage(env, "warehouse_init")
        token = manage(env, "ct_user", "bench", "--role", "operator", "--rotate-token").splitlines()[-1]
        port = free_port()
        server = start_server(env, port, args.threads)
        WORKER.attach(server)
        seq = Seq()
        try:
            clients = [Client(port, token) for _ in range(args.clients)]
            phase("warmup", batch_worker, clients[:2], seq, time.perf_counter() + 1.5, 8)
            for size in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):  # transpile every statement size once
                post_batch(clients[0], batch_body(seq, size * 2), size * 2, Tally())
            baseline = phase(
                "baseline", baseline_worker, clients, seq, time.perf_counter() + min(steady, 5.0)
            )
            single = phase("single", single_worker, clients, seq, time.perf_counter() + steady)
            batched = phase("batched", batch_worker, clients, seq, time.perf_counter() + steady, args.batch)
            burst = run_burst(clients, seq, 20 * single["events_per_s"], burst_s)
        finally:
            stop_server(server)
        counts = warehouse_counts(Path(data_dir) / "telemetry.duckdb")

    phases = [single, batched, burst]
    expected_runs = seq._next  # every run id handed out was sent as START + COMPLETE
    accepted_runs = sum(p["runs"] for p in phases)
    results = {
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "baseline_get_version": baseline,
        "server": {"gunicorn_workers": 1, "threads": args.threads, "warehouse": "duckdb (embedded)"},
        "clients": args.clients,
        "mode": "quick" if args.quick else "full",
        "dataset_facets": args.dataset_facets,
        "phases": phases,
        "warehouse": counts,
        "runs_sent": expected_runs,
        "runs_accepted_in_measured_phases": accepted_runs,
        "lost_events": 2 * (expected_runs - counts["complete_runs"])
        + (counts["run_rows"] - counts["distinct_runs"]),
        "anchor": "Django ORM write path ~250 requests/s",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_report(results)


def print_report(r: dict) -> None:
    machine, server = r["machine"], r["server"]
    print(
        f"OpenLineage ingest bench ({r['mode']}; {machine['cpus']} CPUs shared by client and server, "
        f"load average {machine['load_average_1m_at_end']}; gunicorn 1 worker x {server['threads']} threads; "
        f"{r['clients']} client threads)"
    )
    for p in [r["baseline_get_version"], *r["phases"]]:
        lat = p["latency_ms"]
        line = (
            f"  {p['phase']:<8} {p['events_per_s']:>9.1f} /s  {p['requests']:>7} requests  "
            f"p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms  errors {p['errors']}"
        )
        if "server_cpu_ms_per_event" in p:
            line += f"  server CPU {p['server_cpu_ms_per_event']} ms/event on {p['server_cores_busy']} cores"
        if p["phase"] == "burst":
            line += (
                f"  (target {p['target_events_per_s']:.0f} ev/s in batches of {p['batch_events']}, "
                f"kept up: {p['kept_up']}, max lag {p['max_schedule_lag_s']} s)"
            )
        print(line)
    w = r["warehouse"]
    print(
        f"  warehouse: {w['run_rows']} run rows ({w['complete_runs']} complete) "
        f"for {r['runs_sent']} runs sent; "
        f"lost events: {r['lost_events']}; {w['pipelines']} pipelines, {w['datasets']} datasets, "
        f"{w['lineage_edges']} edges; {w['raw_events']} events kept as received "
        f"(of {2 * r['runs_sent']} sent)"
    )
    print(f"  written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
