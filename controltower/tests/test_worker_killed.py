"""A worker killed with SIGKILL in the middle of a job (Redis broker, acks_late with
reject_on_worker_lost): the job goes back to the queue, the next worker runs it, and its effect —
one cost-anomaly record — happens exactly once."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from testsupport.live_servers import base_env, manage
from testsupport.services import REDIS_URL, need
from testsupport.stubs import StubSource

ROOT = Path(__file__).resolve().parents[2]
BROKER = REDIS_URL.rsplit("/", 1)[0] + "/13"  # a database of its own: flushed by this test
pytestmark = pytest.mark.slow
VISIBILITY_S = 3
ANOMALY = {
    "pipeline_id": "p7",
    "pipeline_name": "orders_load",
    "team": "payments",
    "domain": "sales",
    "severity": "high",
    "date": "2026-11-20",
    "ratio": 4.2,
    "robust_z": 9.1,
    "latest_cost_aud": 420.0,
    "baseline_median_aud": 100.0,
    "delta_aud": 320.0,
    "is_anomaly": True,
}


def anomalies_source() -> tuple[StubSource, threading.Event]:
    """A source whose first answer never comes (the worker dies waiting), later ones do."""
    asked, calls = threading.Event(), []

    def answer(request):
        calls.append(request)
        if len(calls) == 1:
            asked.set()
            time.sleep(30)
        return 200, {"items": [ANOMALY], "total": 1, "offset": 0, "limit": 5000}

    stub = StubSource("aws").start()
    stub.reply("/api/costs/anomalies", handler=answer)
    return stub, asked


def worker(env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "celery", "-A", "controltower", "worker", "--pool=solo", "-l", "WARNING"]
    log = open(env["CT_DATA_DIR"] + "/worker.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def records(data: Path) -> str:
    code = (
        "from aggregate_app.models import CostAnomalyRecord as R; "
        "print(list(R.objects.values_list('source', 'pipeline_id')))"
    )
    return manage(data, "shell", "-c", code).splitlines()[-1]


def test_a_job_killed_mid_run_is_redelivered_and_takes_effect_once(tmp_path):
    need(REDIS_URL, "Redis")
    redis.Redis.from_url(BROKER).flushdb()
    source, asked = anomalies_source()
    data = tmp_path / "control"
    data.mkdir()
    manage(data, "migrate", "--noinput", "-v", "0")
    env = base_env(
        data,
        CT_WAREHOUSE_BACKEND="none",
        CT_SOURCES=f"aws={source.url}",
        CT_SOURCE_AWS_TOKEN="aws-service-token",
        CT_SOURCE_TIMEOUT_S="60",
        CT_SOURCE_RETRIES="0",
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=BROKER,
        CELERY_VISIBILITY_TIMEOUT_S=str(VISIBILITY_S),
    )
    first = worker(env)
    second = None
    try:
        app = Celery(broker=BROKER, backend=BROKER)
        result = app.send_task("aggregate.refresh_cost_anomalies")
        assert asked.wait(60), "the first worker never started the job"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert records(data) == "[]"  # killed before any effect
        # A starting worker looks for unacked jobs older than the visibility timeout at once (then
        # every ~100 s: kombu scans on every 10th 10-second tick), so start it after the timeout.
        time.sleep(VISIBILITY_S + 1)
        second = worker(env)
        outcome = result.get(timeout=90)
        assert outcome["sources"]["aws"]["opened"] == 1
        time.sleep(5)  # longer than the visibility timeout: nothing is delivered a third time
        assert records(data) == "[('aws', 'p7')]"
        assert len(source.calls("/api/costs/anomalies")) == 2
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        source.stop()
