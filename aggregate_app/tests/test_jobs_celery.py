"""One real round trip of the job tasks through a Redis broker and a Celery worker process (its
own migrated database, the demo sources over HTTP, a local webhook receiver): the task runs, the
records land, alert evaluation turns the anomalies into one notification each at the (deprecated)
CT_ALERT_WEBHOOK, and a second run sends no second alert."""

import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery

from testsupport.live_servers import ROOT, base_env, live_estate, new_dir
from testsupport.services import REDIS_URL, need
from testsupport.webhook_receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.services]


def test_job_tasks_round_trip_through_redis_and_a_worker():
    need(REDIS_URL, "Redis")
    estate = live_estate()
    data_dir = new_dir(estate.base, estate.template, f"worker-{uuid.uuid4().hex[:6]}")
    queue = f"ct-jobs-{uuid.uuid4().hex[:8]}"  # no other test's worker takes these tasks
    with Receiver() as hook:
        env = base_env(
            data_dir,
            CELERY_BROKER_URL=REDIS_URL,
            CELERY_RESULT_BACKEND=REDIS_URL,
            CELERY_TASK_DEFAULT_QUEUE=queue,  # the deliveries evaluation queues come to this worker
            CT_WAREHOUSE_BACKEND="none",
            CT_SOURCES=f"aws={estate.aws.url},azure={estate.azure.url}",
            CT_SOURCE_AWS_TOKEN=estate.token,
            CT_SOURCE_AZURE_TOKEN=estate.token,
            CT_ALERT_WEBHOOK=hook.url,
            SMOKE_ALERT_WEBHOOK=hook.url,
            SMOKE_API_URL=estate.aws.url,
            SMOKE_TOKEN=estate.token,
        )
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "controltower",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "WARNING",
        ]
        log = (data_dir / "worker.log").open("wb")
        worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        app = Celery(broker=REDIS_URL, backend=REDIS_URL)
        try:
            first = app.send_task("aggregate.refresh_cost_anomalies", queue=queue).get(timeout=120)
            second = app.send_task("aggregate.refresh_cost_anomalies", queue=queue).get(timeout=120)
            smoked = app.send_task("aggregate.scheduled_smoke", queue=queue).get(timeout=120)
            injected = len(estate.flagged(estate.aws)) + len(estate.flagged(estate.azure))
            app.send_task("alerting.evaluate", queue=queue).get(timeout=300)
            delivered = wait_for(lambda: len(hook.bodies) >= injected)
            app.send_task("alerting.evaluate", queue=queue).get(timeout=300)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert first["sources"]["aws"]["opened"] == len(estate.flagged(estate.aws))
    assert second["sources"]["aws"]["unchanged"] == len(estate.flagged(estate.aws))
    assert delivered and len(hook.bodies) == injected  # the second evaluation sent nothing new
    assert all("costs out of band" in b["text"] for b in hook.bodies)
    assert smoked["runs"] == {"api:api": "PASS"}
    with sqlite3.connect(data_dir / "governance.sqlite3") as db:
        assert db.execute(
            "SELECT count(*) FROM aggregate_costanomalyrecord WHERE status = 'open'"
        ).fetchone() == (injected,)
        assert db.execute("SELECT status, checks_total FROM aggregate_smokerun").fetchall() == [("PASS", 9)]
        assert db.execute(
            "SELECT count(*) FROM alerting_notification WHERE channel = 'alert-webhook'"
        ).fetchone() == (injected,)


def wait_for(condition, timeout_s: float = 120) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()
