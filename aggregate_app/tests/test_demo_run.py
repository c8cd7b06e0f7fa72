"""`make run` for real (deploy/demo.py run on a small estate and free ports, supervisord and every
process it starts): a source that dies is an outage of that source only, the demo brings it back,
and Ctrl-C still stops everything."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from testsupport.live_servers import DEMO_DAYS, DEMO_PIPELINES, PY, ROOT, free_port, tier_env

pytestmark = pytest.mark.slow
RESTART_PAUSE_S = 5


@dataclass
class Demo:
    proc: subprocess.Popen  # deploy/demo.py run, which becomes supervisord
    var: Path
    ports: dict
    log: Path

    def url(self, tier: str) -> str:
        return f"http://127.0.0.1:{self.ports[tier]}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pid(self, program: str) -> int:
        ctl = [str(Path(PY).parent / "supervisorctl"), "-c", str(ROOT / "deploy" / "supervisord.demo.conf")]
        env = {**os.environ, "CT_DEMO_RUN": str(self.var / "run")}
        done = subprocess.run([*ctl, "pid", program], env=env, capture_output=True, text=True, timeout=30)
        return int(done.stdout.strip())

    def viewer_token(self) -> str:
        users = json.loads((self.var / "demo.json").read_text())["users"]
        return next(u["token"] for u in users if u["role"] == "viewer")


def wait_for(predicate, timeout: float, what: str | Callable[[], str], demo: Demo):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if demo.proc.poll() is not None:
            break
        time.sleep(0.25)
    what = what() if callable(what) else what
    raise AssertionError(f"{what} (within {timeout:g}s); demo output ends:\n{demo.output()[-3000:]}")


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def demo():
    # A short path: supervisord's unix socket lives under it (at most 108 bytes).
    tmp_path = Path(tempfile.mkdtemp(prefix="ct-demo-"))
    ports = {tier: free_port() for tier in ("control", "aws", "azure")}
    env = tier_env(
        tmp_path,
        CT_DEMO_DIR=str(tmp_path),
        CT_PORT_CONTROL=str(ports["control"]),
        CT_PORT_AWS=str(ports["aws"]),
        CT_PORT_AZURE=str(ports["azure"]),
        CT_DEMO_PIPELINES=DEMO_PIPELINES,
        CT_DEMO_DAYS=DEMO_DAYS,
        CT_DEMO_RESTART_PAUSE_S=str(RESTART_PAUSE_S),
    )
    log = tmp_path / "demo.log"
    with log.open("ab") as out:  # append mode: supervisord and its programs all write to it
        proc = subprocess.Popen([PY, "deploy/demo.py", "run"], cwd=ROOT, env=env, stdout=out, stderr=out)
    demo = Demo(proc, tmp_path, ports, log)
    try:
        wait_for(lambda: "Control Tower is up" in demo.output(), 600, "the demo did not come up", demo)
        yield demo
    finally:
        if proc.poll() is None:  # the test failed before its Ctrl-C
            family = descendants(proc.pid)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                for pid in [proc.pid, *family]:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmp_path, ignore_errors=True)


def aggregate_meta(demo: Demo) -> dict:
    headers = {"Authorization": f"Token {demo.viewer_token()}"}
    answer = requests.get(f"{demo.url('control')}/api/aggregate/summary", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["_meta"]


def answers_health(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_a_killed_source_is_a_partial_outage_that_heals_and_ctrl_c_stops_everything(demo):
    assert aggregate_meta(demo)["degraded"] is False
    aws_pid = demo.pid("aws")
    os.kill(aws_pid, signal.SIGKILL)  # an outage of one source

    seen = []  # each read's aws entry, for the failure message

    def aws_degraded():
        assert answers_health(demo.url("control")), "the control tier stopped answering /health"
        meta = aggregate_meta(demo)
        assert meta["azure_ok"] is True, meta
        seen.append(meta["sources"]["aws"])
        return meta if meta["aws_ok"] is False else None

    meta = wait_for(
        aws_degraded, RESTART_PAUSE_S, lambda: f"the control tier never marked aws degraded: {seen}", demo
    )
    # The first failed call says how it failed; later ones may meet the open circuit breaker.
    aws = meta["sources"]["aws"]
    assert meta["degraded"] is True and aws["error"] in ("connection_error", "circuit_open"), aws

    wait_for(lambda: answers_health(demo.url("aws")), 120, "aws did not come back", demo)
    assert demo.pid("aws") != aws_pid
    output = demo.output()
    assert "exited: aws (terminated by SIGKILL; not expected)" in output
    assert f"[aws] stopped; restarting it in {RESTART_PAUSE_S}s (the others keep serving)" in output
    # The control tier reads aws again once its circuit breaker lets a trial call through.
    wait_for(lambda: aggregate_meta(demo)["aws_ok"], 90, "the control tier never read aws again", demo)

    family = descendants(demo.proc.pid)
    assert len(family) >= 6, family  # three gunicorn masters and workers, celery worker and beat
    demo.proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert demo.proc.wait(timeout=90) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in family if alive(pid)], "processes outlived Ctrl-C"
    for tier in demo.ports:
        assert not answers_health(demo.url(tier)), tier


def test_a_failed_run_posted_to_a_demo_source_nudges_the_control_tier_into_an_alert(demo):
    users = json.loads((demo.var / "demo.json").read_text())["users"]
    token = next(u["token"] for u in users if u["role"] == "operator")
    headers = {"Authorization": f"Bearer {token}"}
    event = {
        "eventType": "FAIL",
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "producer": "https://example.com/demo-check",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0f6a4f8e-6f43-4b8e-9a51-3c1f0e0d9b11"},
        "job": {"namespace": "demo-check", "name": "orders_load"},
    }
    stored = requests.post(f"{demo.url('aws')}/api/v1/lineage", json=event, headers=headers, timeout=30)
    assert stored.status_code == 200, stored.text[:500]
    pipeline = stored.json()["pipeline_id"]
    # The source's nudge reached the control tier with the token the demo generated...
    wait_for(lambda: '"POST /api/aggregate/alerts/evaluate HTTP/1.1" 202' in demo.output(), 60,
             "the control tier never accepted a nudge", demo)  # fmt: skip

    def alerted():
        answer = requests.get(
            f"{demo.url('control')}/api/aggregate/alerts",
            params={"pipeline_id": pipeline, "kind": "failed_run"},
            headers=headers,
            timeout=30,
        )
        return answer.status_code == 200 and answer.json()["items"]

    # ... and the evaluation it queued opened the alert, delivered to the recording channel.
    [alert] = wait_for(alerted, 120, f"no alert for {pipeline}", demo)
    assert alert["source"] == "aws" and alert["state"] == "open"

    def delivered():
        answer = requests.get(
            f"{demo.url('control')}/api/aggregate/alerts/{alert['id']}", headers=headers, timeout=30
        )
        notes = answer.json()["notifications"] if answer.status_code == 200 else []
        return [n for n in notes if n["status"] == "delivered"]

    [note] = wait_for(delivered, 120, f"alert {alert['id']} was never delivered", demo)
    assert (note["transition"], note["channel"]) == ("trigger", "recording")
