#!/usr/bin/env python
"""Alerting benchmark: from a failed run's ingest to the notification, over real processes.

Starts a source API (DuckDB), a control tier whose default alert channel is a signed webhook to a
local HTTP receiver, and a Celery worker for the control tier (the filesystem broker: no Redis).
No beat runs, so every evaluation comes from the source's nudge (pipelines_app/ingest/nudge.py),
not from the minute schedule. Then:

1. latency — TRIALS times, a FAIL event for a new pipeline is POSTed to the source; the time until
   the receiver gets that pipeline's `trigger` notification (aim: p95 <= 10 s). Trials are spaced
   by the control tier's debounce window, so each measures the immediate path.
2. storm — one root pipeline fails, then the 30 pipelines downstream of it (they read its
   output) fail one after another; notifications received for the 31 failures, against the one
   per failure a notifier without grouping would send (aim: ratio <= 0.1).

    .venv/bin/python bench/alert_bench.py [--quick]

Prints the figures and writes bench/results/alert.json.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
from common import PY, ROOT, Client, Server, base_env, free_port, manage, median, p95

RESULTS = ROOT / "bench" / "results" / "alert.json"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
NS = "snowflake://bench"
DEBOUNCE_S = 3
DOWNSTREAM = 30
WAIT_S = 120


class Receiver:
    """The webhook's far end: every POST's arrival time and JSON body."""

    def __init__(self):
        self.posts: list[tuple[float, dict]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.arrived:
                    receiver.posts.append((time.monotonic(), json.loads(raw or b"{}")))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, match, timeout: float) -> float | None:
        """Arrival time of the first post whose body `match`es, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = next((t for t, body in self.posts if match(body)), None)
                left = deadline - time.monotonic()
                if found is not None or left <= 0:
                    return found
                self.arrived.wait(left)


def event(event_type: str, job: str, *, inputs=(), outputs=()) -> bytes:
    return orjson.dumps(
        {
            "eventType": event_type,
            "eventTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "producer": PRODUCER,
            "schemaURL": SCHEMA,
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": "bench", "name": job},
            "inputs": [{"namespace": NS, "name": n} for n in inputs],
            "outputs": [{"namespace": NS, "name": n} for n in outputs],
        }
    )


def post(client: Client, body: bytes) -> dict:
    client.conn.request(
        "POST", "/api/v1/lineage", body=body, headers={**client.headers, "Content-Type": "application/json"}
    )
    response = client.conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise SystemExit(f"ingest refused: HTTP {response.status} {payload[:300]!r}")
    return orjson.loads(payload)


def start(base: Path) -> dict:
    """Source, control tier, worker and receiver, wired as a deployment would be."""
    source_dir, control_dir = base / "source", base / "control"
    source_dir.mkdir()
    control_dir.mkdir()
    nudge_token = uuid.uuid4().hex
    receiver = Receiver()
    source_port, control_port = free_port(), free_port()
    control_url = f"http://127.0.0.1:{control_port}"
    source_env = {
        "CT_SOURCE_NAME": "aws",
        "CT_ALERT_NUDGE_URL": control_url,
        "CT_ALERT_NUDGE_TOKEN": nudge_token,
    }
    env = base_env(source_dir, **source_env)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "warehouse_init")
    token = manage(env, "ct_user", "bench", "--role", "operator", "--rotate-token").splitlines()[-1]
    control_env = {
        "CT_WAREHOUSE_BACKEND": "none",
        "CT_SOURCES": f"aws=http://127.0.0.1:{source_port}",
        "CT_SOURCE_AWS_TOKEN": token,
        "CT_ALERT_NUDGE_TOKEN": nudge_token,
        "CT_ALERT_NUDGE_DEBOUNCE_S": str(DEBOUNCE_S),
        "CT_ALERT_CHANNELS": "bench-hook=webhook",
        "CT_ALERT_CHANNEL_BENCH_HOOK_URL": receiver.url,
        "CT_ALERT_CHANNEL_BENCH_HOOK_SECRET": uuid.uuid4().hex,
        "CT_ALERT_DEFAULT_CHANNELS": "bench-hook",
    }
    cenv = base_env(control_dir, **control_env)
    manage(cenv, "migrate", "--noinput", "-v", "0")
    control_token = manage(cenv, "ct_user", "bench", "--role", "operator", "--rotate-token").splitlines()[-1]
    log = (control_dir / "worker.log").open("ab")
    worker = subprocess.Popen(
        [str(Path(PY).with_name("celery")), "-A", "controltower", "worker", "--pool=threads",
         "--concurrency", "4", "-l", "WARNING"],
        cwd=ROOT, env=cenv, stdout=log, stderr=log,
    )  # fmt: skip
    control = Server(control_dir, port=control_port, **control_env)
    source = Server(source_dir, port=source_port, **source_env)
    return {"source": source, "control": control, "worker": worker, "receiver": receiver,
            "token": token, "control_token": control_token, "log": log}  # fmt: skip


def stop(parts: dict) -> None:
    parts["source"].stop()
    parts["control"].stop()
    worker = parts["worker"]
    worker.terminate()
    try:
        worker.wait(30)
    except Exception:
        worker.kill()
    parts["log"].close()
    parts["receiver"].server.shutdown()


def triggered(pipeline_id: str):
    return lambda body: body.get("event") == "trigger" and body.get("pipeline_id") == pipeline_id


def latency(parts: dict, trials: int) -> dict:
    client, receiver = Client(parts["source"].url, parts["token"]), parts["receiver"]
    seconds, missed = [], 0
    for n in range(trials):
        started = time.monotonic()
        pid = post(client, event("FAIL", f"latency.job_{n}"))["pipeline_id"]
        arrived = receiver.wait_for(triggered(pid), WAIT_S)
        if arrived is None:
            missed += 1
        else:
            seconds.append(arrived - started)
        time.sleep(max(0.0, started + DEBOUNCE_S + 0.5 - time.monotonic()))
    return {"trials": trials, "missed": missed, "seconds": [round(s, 3) for s in seconds],
            "median_s": round(median(seconds), 3), "p95_s": round(p95(seconds), 3)}  # fmt: skip


def storm(parts: dict) -> dict:
    client, receiver = Client(parts["source"].url, parts["token"]), parts["receiver"]
    root_job, out = "storm.root", "STORM.ROOT_OUT"
    downstream = [f"storm.down_{i}" for i in range(DOWNSTREAM)]
    post(client, event("COMPLETE", root_job, outputs=[out]))  # the lineage the grouping walks
    for i, job in enumerate(downstream):
        post(client, event("COMPLETE", job, inputs=[out], outputs=[f"STORM.DOWN_{i}"]))
    time.sleep(DEBOUNCE_S + 0.5)
    before = len(receiver.posts)
    started = time.monotonic()
    root = post(client, event("FAIL", root_job, outputs=[out]))["pipeline_id"]
    names = {root: "root"}
    for i, job in enumerate(downstream):
        time.sleep(0.1)
        names[post(client, event("FAIL", job, inputs=[out], outputs=[f"STORM.DOWN_{i}"]))["pipeline_id"]] = (
            job
        )
    ids = set(names)
    first = receiver.wait_for(triggered(root), WAIT_S)
    seen = wait_for_incidents(parts, ids)
    time.sleep(2 * DEBOUNCE_S + 5)  # the last evaluation's notifications, if any, arrive
    storm_posts = [body for _, body in receiver.posts[before:] if body.get("pipeline_id") in ids]
    # A retried delivery repeats its idempotency key: a receiver drops the repeat (README), so it
    # counts once here, and the posts are reported beside.
    notes = {
        b.get("idempotency_key"): f"{b.get('event')} {b.get('kind')} {names[b['pipeline_id']]}"
        for b in storm_posts
    }
    return {
        "failures": len(ids),
        "notifications": len(notes),
        "posts": len(storm_posts),
        "events": sorted(notes.values()),
        "ratio": round(len(notes) / len(ids), 3),
        "incidents_seen": seen,
        "histories": histories(parts, {k.split("-")[2] for k in notes if k and k.startswith("ct-alert-")}),
        "root_trigger_s": None if first is None else round(first - started, 3),
    }


def histories(parts: dict, pks: set) -> dict:
    """Each notified incident's history, to tell why a failure notified twice."""
    client = Client(parts["control"].url, parts["control_token"])
    found = {}
    for pk in sorted(pks):
        status, body, _ = client.get(f"/api/aggregate/alerts/{pk}")
        if status == 200:
            detail = orjson.loads(body)
            found[pk] = [f"{e.get('action')} {e.get('reason', '')[:60]}" for e in detail.get("events", [])]
    return found


def wait_for_incidents(parts: dict, ids: set) -> int:
    """How many of the storm's pipelines the control tier has an incident for (waits for all)."""
    client = Client(parts["control"].url, parts["control_token"])
    deadline, found = time.monotonic() + WAIT_S, 0
    while time.monotonic() < deadline:
        status, body, _ = client.get("/api/aggregate/alerts?members=true&limit=500&kind=failed_run")
        if status == 200:
            found = len({i["pipeline_id"] for i in orjson.loads(body)["items"]} & ids)
            if found == len(ids):
                break
        time.sleep(1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 latency trials instead of 20")
    args = parser.parse_args()
    trials = 5 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="ct-bench-alert-") as base:
        parts = start(Path(base))
        try:
            lat = latency(parts, trials)
            st = storm(parts)
        finally:
            stop(parts)
    results = {"generated_at": datetime.now(UTC).isoformat(), "mode": "quick" if args.quick else "full",
               "debounce_s": DEBOUNCE_S, "latency": lat, "storm": st}  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"failed run -> notification: median {lat['median_s']} s, p95 {lat['p95_s']} s over "
        f"{lat['trials']} trials ({lat['missed']} missed)\nstorm of {st['failures']} failures: "
        f"{st['notifications']} notifications ({st['events']}; {st['posts']} posts), ratio {st['ratio']}; "
        f"root trigger after "
        f"{st['root_trigger_s']} s"
    )


if __name__ == "__main__":
    sys.exit(main())
