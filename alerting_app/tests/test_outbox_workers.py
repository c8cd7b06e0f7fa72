"""Two real Celery workers on Redis deliver one outbox; one of them is SIGKILLed while a receiver
holds its delivery open. Every notification ends delivered, recorded once; the live workers never
both send one; only the killed delivery reaches the receiver a second time, with the same
idempotency key (so the receiver can drop it)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery import Celery

from testsupport.live_servers import ROOT, base_env, live_estate, new_dir
from testsupport.services import REDIS_URL, need

pytestmark = [pytest.mark.slow, pytest.mark.services]
N = 12
CREATE = f"""
from datetime import timedelta
from django.utils import timezone
from alerting_app.actions import Occurrence, record
now = timezone.now()
for i in range({N}):
    record(Occurrence("failed_run", "aws", f"p{{i}}", now, f"p{{i}} failed", "r1", pipeline_id=f"p{{i}}"))
"""
REPORT = """
import json
from alerting_app.models import Notification
print(json.dumps(list(Notification.objects.values("idempotency_key", "status", "attempts"))))
"""


class HoldingReceiver:
    """Records every POST (key, worker pid); holds the first one open until released."""

    def __init__(self):
        self.posts: list[tuple[str, int]] = []
        self.first = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key, pid = self.headers["Idempotency-Key"], int(self.headers["X-Worker-Pid"])
                held = not outer.first.is_set()
                outer.posts.append((key, pid))
                if held:
                    outer.first.set()
                    outer.release.wait(30)
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the worker that asked is dead

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def manage_shell(env: dict, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode()


def worker(env: dict, name: str, queue: str, log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "celery", "-A", "controltower", "worker", "--pool=solo", "-n", f"{name}@%h"]
    cmd += ["-Q", queue, "-l", "WARNING"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_two_workers_and_a_sigkill_deliver_each_notification_once():
    need(REDIS_URL, "Redis")
    estate = live_estate()
    data_dir = new_dir(estate.base, estate.template, f"alert-workers-{uuid.uuid4().hex[:6]}")
    queue = f"ct-alerts-{uuid.uuid4().hex[:8]}"  # no other test's worker takes these tasks
    hook = HoldingReceiver()
    env = base_env(
        data_dir,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_RESULT_BACKEND=REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CT_WAREHOUSE_BACKEND="none",
        CT_ALERT_CHANNELS_PROVIDER="alerting_app.tests.stub_channels.get",
        CT_ALERT_DEFAULT_CHANNELS="hook-oncall",
        CT_TEST_ALERT_HOOK=hook.url,
        CT_ALERT_CLAIM_TIMEOUT_S="3",
    )
    log = (data_dir / "workers.log").open("wb")
    workers = [worker(env, "a", queue, log), worker(env, "b", queue, log)]
    app = Celery(broker=REDIS_URL, backend=REDIS_URL)
    try:
        manage_shell(env, CREATE)  # commits, and hands each notification to the queue
        assert hook.first.wait(60), "no delivery started"
        victim = hook.posts[0][1]
        os.kill(victim, signal.SIGKILL)
        hook.release.set()
        survivor = next(w for w in workers if w.pid != victim)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the sweep takes over the dead claim
            states = json.loads(manage_shell(env, REPORT).strip().splitlines()[-1])
            if all(s["status"] == "delivered" for s in states):
                break
            app.send_task("alerting.sweep", queue=queue).get(timeout=60)
            time.sleep(1)
        assert survivor.poll() is None
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=30)
        hook.close()
    assert len(states) == N and {s["status"] for s in states} == {"delivered"}
    sent = Counter(key for key, _ in hook.posts)
    killed_key = hook.posts[0][0]
    assert set(sent) == {s["idempotency_key"] for s in states}
    assert sent[killed_key] == 2 and all(n == 1 for k, n in sent.items() if k != killed_key)
    assert {pid for _, pid in hook.posts[1:]} <= {w.pid for w in workers}
    attempts = {s["idempotency_key"]: s["attempts"] for s in states}
    assert attempts[killed_key] == 2 and all(a == 1 for k, a in attempts.items() if k != killed_key)
