"""`make run`: prepare the demo (two source APIs and a control tier, each with its own data
directory) and start every process in the foreground under supervisord
(deploy/supervisord.demo.conf). A second run reuses the data.

    python deploy/demo.py run           # prepare + start (what `make run` does)
    python deploy/demo.py prepare       # only migrate, load demo data, create demo users
    python deploy/demo.py serve NAME    # one program, as supervisord starts it
    python deploy/demo.py announce      # wait for every tier, print URLs and logins

A source that stops (an outage) leaves the control tier and the other source serving, marked
degraded on the control tier, until supervisord has restarted it. CT_DEMO_PIPELINES and
CT_DEMO_DAYS make a smaller estate (load_demo's --pipelines / --days) for a quick look.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CT_DEMO_DIR", ROOT / "var")).resolve()
PY = sys.executable
HOST = os.environ.get("CT_DEMO_HOST", "127.0.0.1")
PORTS = {
    "control": int(os.environ.get("CT_PORT_CONTROL", 8000)),
    "aws": int(os.environ.get("CT_PORT_AWS", 8001)),
    "azure": int(os.environ.get("CT_PORT_AZURE", 8002)),
}
SOURCES = ("aws", "azure")
CREDENTIALS = VAR / "demo.json"
SUPERVISOR_CONF = ROOT / "deploy" / "supervisord.demo.conf"
RUN = VAR / "run"  # supervisord's socket, pid file and log; each program's process group
RESTART_PAUSE_S = float(os.environ.get("CT_DEMO_RESTART_PAUSE_S", 3))
DEMO_SIZE = [
    f"--{option}={os.environ[var]}"
    for option, var in (("pipelines", "CT_DEMO_PIPELINES"), ("days", "CT_DEMO_DAYS"))
    if os.environ.get(var)
]


def url(tier: str) -> str:
    return f"http://{HOST}:{PORTS[tier]}"


def git_sha() -> str:
    try:
        cmd = ["git", "rev-parse", "HEAD"]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=5)
        return out.stdout.strip()
    except OSError:
        return ""


def tier_env(tier: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT_SOURCE", "DATABASE_URL", "SF_"))}
    env.update(
        CT_DATA_DIR=str(VAR / tier), DJANGO_SETTINGS_MODULE="controltower.settings", PYTHONUNBUFFERED="1"
    )
    env.setdefault("CT_PUBLIC_READ", "0")
    # The demo's tiers share one build identity, so diagnostics can reconcile them.
    env.setdefault("BUILD_ID", "demo-local")
    env.setdefault("GIT_SHA", git_sha() or "unknown")
    env.setdefault("RELEASE_TAG", "demo")
    if CREDENTIALS.exists():  # a failed run's ingest nudges the control tier to evaluate alerts
        env["CT_ALERT_NUDGE_TOKEN"] = json.loads(CREDENTIALS.read_text()).get("alert_nudge_token", "")
        if tier != "control":
            env["CT_ALERT_NUDGE_URL"] = url("control")
    if tier == "control":
        env["CT_WAREHOUSE_BACKEND"] = "none"
        env["CT_SOURCES"] = ",".join(f"{s}={url(s)}" for s in SOURCES)
        if CREDENTIALS.exists():
            for s in SOURCES:
                env[f"CT_SOURCE_{s.upper()}_TOKEN"] = service_token()
    else:
        env["CT_WAREHOUSE_BACKEND"] = "duckdb"
        env["CT_SOURCE_NAME"] = tier
    return env


def service_token() -> str:
    """The demo control tier calls the sources as their `service` account."""
    return json.loads(CREDENTIALS.read_text())["service"]["token"]


def manage(tier: str, *args: str) -> None:
    print(f"[{tier}] manage.py {' '.join(args)}", flush=True)
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=tier_env(tier), check=True)


def prepare() -> None:
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    for tier in ("control", *SOURCES):
        manage(tier, "migrate", "--noinput", "-v", "0")
        manage(tier, "demo_users", "--file", str(CREDENTIALS))
    for source in SOURCES:
        loaded = (VAR / source / "telemetry.duckdb").exists()
        manage(source, "warehouse_init")  # also brings a file from an earlier version up to date
        if loaded:
            print(f"[{source}] demo telemetry already loaded (delete var/{source} to reload)", flush=True)
            continue
        manage(source, "load_demo", "--source", source, *DEMO_SIZE)
    data = json.loads(CREDENTIALS.read_text())
    data["urls"] = {"control": url("control"), **{s: url(s) for s in SOURCES}}
    CREDENTIALS.write_text(json.dumps(data, indent=2))
    CREDENTIALS.chmod(0o600)  # passwords and tokens: this user's only
    print(f"demo prepared in {time.monotonic() - started:.0f}s; credentials in {CREDENTIALS}", flush=True)


def program_argv(name: str) -> list[str]:
    """The command line of one of the programs in deploy/supervisord.demo.conf."""
    bin_dir = Path(PY).parent
    if name in ("worker", "beat"):
        concurrency = ["--concurrency", "2"] if name == "worker" else []
        return [str(bin_dir / "celery"), "-A", "controltower", name, "-l", "INFO", *concurrency]
    # One process per source: only one process may open a DuckDB file for writing.
    size = ["--workers", "1", "--threads", "8"] if name in SOURCES else ["--workers", "2", "--threads", "4"]
    access = f'{name} %(h)s "%(r)s" %(s)s %(b)s %(M)sms'  # which tier served it, as the logs interleave
    return [str(bin_dir / "gunicorn"), "controltower.wsgi", "-b", f"{HOST}:{PORTS[name]}", *size,
            "--access-logfile", "-", "--access-logformat", access, "--graceful-timeout", "5"]  # fmt: skip


def serve(name: str) -> None:
    """What supervisord runs for each program: its tier's environment, then exec (same pid).

    supervisord restarts a program that stops at once. Before a restart, end what is left of the
    previous one (supervisord makes each program a process group, but signals the group only when
    it stops the program itself): a gunicorn master killed from outside leaves its workers serving
    kept-alive connections and holding the port and the DuckDB file. Then pause, so a crash cannot
    spin."""
    marker = RUN / f"{name}.pgid"
    if marker.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(marker.read_text()), signal.SIGKILL)
        print(
            f"[{name}] stopped; restarting it in {RESTART_PAUSE_S:g}s (the others keep serving)", flush=True
        )
        time.sleep(RESTART_PAUSE_S)
    if os.getpgid(0) == os.getpid():  # its own process group, as under supervisord
        marker.write_text(str(os.getpid()))
    argv = program_argv(name)
    env = tier_env(name if name in PORTS else "control")
    if name in PORTS:  # /metrics adds up the workers' counts; a new start counts from zero
        metrics = RUN / "metrics" / name
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    os.chdir(ROOT)
    os.execve(argv[0], argv, env)


def announce() -> None:
    """Wait for the three /health endpoints, then print where to click (once; it then exits)."""
    deadline = time.monotonic() + 300
    pending = {"control", *SOURCES}
    while pending and time.monotonic() < deadline:
        for tier in sorted(pending):
            try:
                with urllib.request.urlopen(f"{url(tier)}/health", timeout=2) as resp:
                    if resp.status == 200:
                        pending.discard(tier)
            except OSError:
                pass
        time.sleep(0.5)
    users = json.loads(CREDENTIALS.read_text())["users"]
    print("\n" + "=" * 72)
    print(f"Control Tower is up: {url('control')}/   (sources: aws {url('aws')}, azure {url('azure')})")
    if pending:
        print(f"still not answering /health: {', '.join(sorted(pending))}")
    print(f"API docs: {url('control')}/api/docs/")
    print("Governance admin (policies, exceptions, DQ standards, audit history, triage rules), per source:")
    for source in SOURCES:
        print(f"  {source:<6} {url(source)}/admin/")
    print(f"Control tier admin (jobs, schedules, records): {url('control')}/admin/")
    for u in users:
        print(f"  {u['role']:<17} login {u['username']} / {u['password']}   token {u['token']}")
    print(f"Credentials: {CREDENTIALS}.")
    print(f"A process that stops is restarted after {RESTART_PAUSE_S:g}s; the others keep serving meanwhile.")
    ctl = f"CT_DEMO_RUN={RUN} {Path(PY).parent / 'supervisorctl'} -c {SUPERVISOR_CONF}"
    print(f"Status: {ctl} status. Ctrl-C stops everything.")
    print("=" * 72, flush=True)


def run() -> None:
    prepare()
    RUN.mkdir(parents=True, exist_ok=True)
    for marker in RUN.glob("*.pgid"):
        marker.unlink()  # a fresh start: nothing left over, no pause
    supervisord = str(Path(PY).parent / "supervisord")
    os.chdir(ROOT)
    env = {**os.environ, "CT_DEMO_PY": PY, "CT_DEMO_RUN": str(RUN)}
    os.execve(supervisord, [supervisord, "-c", str(SUPERVISOR_CONF)], env)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "serve":
        serve(sys.argv[2])
    else:
        {"run": run, "prepare": prepare, "announce": announce}[command]()
