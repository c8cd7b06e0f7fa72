"""A real Celery worker with a pool of two processes serves its own /metrics on
CT_WORKER_METRICS_PORT: the runs and failures its pool counted, added up through
PROMETHEUS_MULTIPROC_DIR (embedded filesystem broker, no server)."""

import os
import subprocess
import sys
import time

import pytest
import requests
from celery import Celery

from testsupport.live_servers import ROOT, free_port
from testsupport.metrics import Scrape

pytestmark = pytest.mark.slow
TASK = {"task": "controltower.ping"}


def test_a_worker_serves_its_pools_task_counts(tmp_path):
    port, metrics_dir = free_port(), tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "CT_DATA_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CT_WORKER_METRICS_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "celery", "-A", "controltower", "worker", "-c", "2", "-l", "WARNING"]
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    queue = tmp_path / "broker" / "queue"
    queue.mkdir(parents=True, exist_ok=True)
    (tmp_path / "results").mkdir(exist_ok=True)
    app = Celery(
        broker="filesystem://",
        backend=f"file://{tmp_path / 'results'}",
        broker_transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "broker" / "control"),
        },
    )
    try:
        assert app.send_task("controltower.ping", args=["one"]).get(timeout=90) == "one"
        assert app.send_task("controltower.ping", args=["two"]).get(timeout=90) == "two"
        failed = app.send_task("controltower.ping", args=[1, 2, 3])
        with pytest.raises(TypeError):
            failed.get(timeout=90)
        page = None
        for _ in range(50):  # the task's result can be read a moment before its postrun signal ran
            page = Scrape(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
            if page.value("ct_celery_task_runs_total", **TASK) >= 3:
                break
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert page.value("ct_celery_task_runs_total", state="success", **TASK) == 2
    assert page.value("ct_celery_task_runs_total", state="failure", **TASK) == 1
    assert page.value("ct_celery_task_failures_total", **TASK) == 1
