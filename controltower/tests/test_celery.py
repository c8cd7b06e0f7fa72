"""A real worker process takes a task and answers: through the embedded filesystem broker (no
server) and through Redis (CI)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from testsupport.services import REDIS_URL, need

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "controltower", "worker", "--pool=solo", "-l", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def assert_round_trip(app: Celery, worker: subprocess.Popen) -> None:
    payload = f"hello-{time.time_ns()}"
    try:
        assert app.send_task("controltower.ping", args=[payload]).get(timeout=60) == payload
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_embedded_filesystem_broker_round_trip(tmp_path):
    env = {"CT_DATA_DIR": str(tmp_path), "CELERY_BROKER_URL": "", "CELERY_RESULT_BACKEND": ""}
    worker = start_worker(env)
    queue = tmp_path / "broker" / "queue"
    app = Celery(
        broker="filesystem://",
        backend=f"file://{tmp_path / 'results'}",
        broker_transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "broker" / "control"),
        },
    )
    (tmp_path / "results").mkdir(exist_ok=True)
    queue.mkdir(parents=True, exist_ok=True)
    assert_round_trip(app, worker)


def test_redis_broker_round_trip(tmp_path):
    need(REDIS_URL, "Redis")
    env = {"CT_DATA_DIR": str(tmp_path), "CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL}
    worker = start_worker(env)
    app = Celery(broker=REDIS_URL, backend=REDIS_URL)
    assert_round_trip(app, worker)
