#!/usr/bin/env python
"""Aggregator benchmark: what the control tier adds over its slowest source, and what a hung
source costs.

Two stub source APIs (threaded HTTP servers in this process, testsupport/stubs.py) answer
with realistic bodies after a fixed delay (aws 20 ms, azure 35 ms). The control tier runs under
gunicorn (one worker, gthread, so one circuit breaker per source) on a temporary CT_DATA_DIR with
CT_PUBLIC_READ on. Over real HTTP it measures:

1. overhead — per iteration, each source directly, then the aggregate route; overhead =
   aggregate latency - the slowest direct latency of the same iteration (median, p95), for
   /api/aggregate/summary and /api/aggregate/pipelines?limit=50 (two catalogues of 300 pipelines,
   100 shared, merged by identity: the keys of both, then the page's rows — two round trips);
2. hung     — azure stops answering (CT_SOURCE_TIMEOUT_S=1): each call until the breaker opens
   costs about the timeout; once open, calls cost about the healthy source alone.

    .venv/bin/python bench/aggregate_bench.py [--quick]

Prints the figures and writes bench/results/aggregate.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from common import UNTHROTTLED, free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testsupport.stubs import StubSource  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "aggregate.json"
DELAYS = {"aws": 0.020, "azure": 0.035}
TIMEOUT_S = 1.0
THRESHOLD = 3


def summary(name: str) -> dict:
    assets = [{"id": f"dash.{name}.{i}", "kind": "dashboard", "impacted_by": i % 3 + 1} for i in range(10)]
    return {
        "pipelines": 300,
        "active": 290,
        "runs_24h": 9000,
        "failures_24h": 120,
        "stale_datasets": 7,
        "top_impacted_downstream_assets": assets,
        "cost_24h_aud": 1234.56,
        "cost_7d_aud": 8100.25,
        "cost_7d_daily_avg_aud": 1157.18,
        "generated_at": "2026-11-20T12:00:00Z",
    }


def pipelines(name: str) -> list[dict]:
    """300 pipelines a source; the first 100 are the shared core (the same identity in both)."""
    return [
        {
            "pipeline_id": f"p{i}" if i <= 100 else f"{name}-p{i}",
            "pipeline_name": f"job_{i}",
            "namespace": "airflow://core" if i <= 100 else f"airflow://{name}",
            "team": f"team-{i % 12}",
            "domain": "ops",
            "criticality": "high",
            "expected_interval_minutes": 60,
            "freshness_sla_minutes": 120,
            "runbook_url": None,
            "tags": ["bronze"],
            "is_active": True,
            "runs_7d": 100 + i,
            "failures_7d": i % 4,
            "last_end_ts": f"2026-11-20T11:{i % 60:02d}:00Z",
            "last_status": "SUCCESS",
            "last_run_id": f"{name}-{i}",
        }
        for i in range(1, 301)
    ]


def start_stubs() -> dict[str, StubSource]:
    stubs = {}
    for name, delay in DELAYS.items():
        stub = StubSource(name, port=free_port()).start()
        stub.reply("/api/summary", summary(name), delay=delay)
        stub.catalogue(pipelines(name), delay=delay)  # /api/pipeline-keys and /api/pipelines
        stubs[name] = stub
    return stubs


def start_control(stubs: dict[str, StubSource], data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CT_", "AWS_BASE", "AZURE_BASE", "DATABASE_URL"))
    }
    env.update(
        CT_DATA_DIR=str(data_dir),
        CT_PUBLIC_READ="1",
        CT_WAREHOUSE_BACKEND="none",
        CT_SOURCES=",".join(f"{n}={s.url}" for n, s in stubs.items()),
        CT_SOURCE_TIMEOUT_S=str(TIMEOUT_S),
        CT_SOURCE_BREAKER_THRESHOLD=str(THRESHOLD),
        CT_SOURCE_BREAKER_COOLDOWN_S="300",
        DJANGO_SETTINGS_MODULE="controltower.settings",
        LOG_LEVEL="WARNING",
        **UNTHROTTLED,
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "controltower.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8"]
    log = (data_dir / "control.log").open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/version", timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"control tier did not start: {(data_dir / 'control.log').read_text()[-2000:]}")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed_get(session: requests.Session, url: str) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.get(url, timeout=30)
    return time.perf_counter() - started, response


def overhead(control: str, stubs: dict[str, StubSource], path: str, iterations: int) -> dict:
    direct = {n: requests.Session() for n in stubs}
    agg = requests.Session()
    for _ in range(5):  # warm connections and caches
        agg.get(f"{control}/api/aggregate{path}", timeout=30)
    slowest, aggregate, extra = [], [], []
    for _ in range(iterations):
        slow = max(timed_get(direct[n], s.url + "/api" + path)[0] for n, s in stubs.items())
        took, response = timed_get(agg, f"{control}/api/aggregate{path}")
        assert response.status_code == 200 and not response.json()["_meta"]["degraded"], response.text[:300]
        slowest.append(slow)
        aggregate.append(took)
        extra.append(took - slow)
    return {
        "path": f"/api/aggregate{path}",
        "iterations": iterations,
        "slowest_source_median_ms": ms(statistics.median(slowest)),
        "aggregate_median_ms": ms(statistics.median(aggregate)),
        "aggregate_p95_ms": ms(p95(aggregate)),
        "overhead_median_ms": ms(statistics.median(extra)),
        "overhead_p95_ms": ms(p95(extra)),
    }


def hung(control: str, stubs: dict[str, StubSource], after_open: int) -> dict:
    stubs["azure"].hang("/api/summary")
    stubs["azure"].hang("/api/pipeline-keys")  # a hung source answers nothing (the summary asks both)
    session = requests.Session()
    until_open = []
    for _ in range(THRESHOLD):  # each summary asks azure twice, so the breaker may open sooner
        took, response = timed_get(session, f"{control}/api/aggregate/summary")
        error = response.json()["_meta"]["sources"]["azure"]["error"]
        assert response.status_code == 200 and error in ("timeout", "circuit_open"), response.text[:300]
        if error == "circuit_open":
            break
        until_open.append(took)
    opened = []
    for _ in range(after_open):
        took, response = timed_get(session, f"{control}/api/aggregate/summary")
        assert response.json()["_meta"]["sources"]["azure"]["error"] == "circuit_open", response.text[:300]
        opened.append(took)
    return {
        "timeout_s": TIMEOUT_S,
        "breaker_threshold": THRESHOLD,
        "calls_until_open_ms": [ms(t) for t in until_open],
        "max_call_until_open_ms": ms(max(until_open)),
        "breaker_open_median_ms": ms(statistics.median(opened)),
        "breaker_open_p95_ms": ms(p95(opened)),
        "healthy_source_delay_ms": DELAYS["aws"] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    args = parser.parse_args()
    iterations = 30 if args.quick else 300
    stubs = start_stubs()
    data_dir = Path(tempfile.mkdtemp(prefix="ct-agg-bench-"))
    proc, control = start_control(stubs, data_dir)
    try:
        results = {
            "benchmark": "aggregate",
            "quick": args.quick,
            "when": datetime.now(UTC).isoformat(),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "source_delays_ms": {n: d * 1000 for n, d in DELAYS.items()},
            "overhead": [
                overhead(control, stubs, p, iterations) for p in ("/summary", "/pipelines?limit=50")
            ],
            "hung_source": hung(control, stubs, 10 if args.quick else 50),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        for stub in stubs.values():
            stub.stop()
    for row in results["overhead"]:
        print(
            f"{row['path']:<36} slowest source {row['slowest_source_median_ms']:7.2f} ms | aggregate median "
            f"{row['aggregate_median_ms']:7.2f} p95 {row['aggregate_p95_ms']:7.2f} | overhead median "
            f"{row['overhead_median_ms']:6.2f} ms p95 {row['overhead_p95_ms']:6.2f} ms"
        )
    h = results["hung_source"]
    print(
        f"hung azure (timeout {h['timeout_s']} s): until its breaker opens {h['calls_until_open_ms']} ms; "
        f"breaker open: median {h['breaker_open_median_ms']} ms, p95 {h['breaker_open_p95_ms']} ms "
        f"(aws alone answers in {h['healthy_source_delay_ms']:.0f} ms)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
