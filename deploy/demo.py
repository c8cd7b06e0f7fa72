"""`make run`: prepare the demo (two source APIs and a control tier, each with its own data
directory) and start every process in the foreground. A second run reuses the data.

    python deploy/demo.py run      # prepare + start (what `make run` does)
    python deploy/demo.py prepare  # only migrate, load demo data, create demo users
"""

import json
import os
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
        manage(source, "load_demo", "--source", source)
    data = json.loads(CREDENTIALS.read_text())
    data["urls"] = {"control": url("control"), **{s: url(s) for s in SOURCES}}
    CREDENTIALS.write_text(json.dumps(data, indent=2))
    print(f"demo prepared in {time.monotonic() - started:.0f}s; credentials in {CREDENTIALS}", flush=True)


def procfile() -> Path:
    gunicorn = f"{Path(PY).parent / 'gunicorn'} controltower.wsgi --access-logfile - --graceful-timeout 5"
    celery = f"{Path(PY).parent / 'celery'} -A controltower"
    lines = []
    for source in SOURCES:
        # One process per source: only one process may open a DuckDB file for writing.
        env = f"env -u CT_SOURCES CT_DATA_DIR={VAR / source} CT_WAREHOUSE_BACKEND=duckdb"
        env += f" CT_SOURCE_NAME={source}"
        lines.append(f"{source}: {env} {gunicorn} -b {HOST}:{PORTS[source]} --workers 1 --threads 8")
    lines.append(f"control: {gunicorn} -b {HOST}:{PORTS['control']} --workers 2 --threads 4")
    lines.append(f"worker: {celery} worker -l INFO --concurrency 2")
    lines.append(f"beat: {celery} beat -l INFO")
    lines.append(f"ready: {PY} {Path(__file__).resolve()} announce")
    path = VAR / "Procfile.demo"
    path.write_text("\n".join(lines) + "\n")
    return path


def announce() -> None:
    """Wait for the three /health endpoints, print where to click, then idle (honcho stops
    everything when any process exits)."""
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
    print(f"API docs: {url('control')}/api/docs/   admin: {url('control')}/admin/")
    for u in users:
        print(f"  {u['role']:<17} login {u['username']} / {u['password']}   token {u['token']}")
    print(f"Credentials: {CREDENTIALS}. Ctrl-C stops everything.")
    print("=" * 72, flush=True)
    while True:
        time.sleep(3600)


def run() -> None:
    prepare()
    honcho = Path(PY).parent / "honcho"
    env = {**tier_env("control")}
    os.chdir(ROOT)
    os.execve(str(honcho), [str(honcho), "-f", str(procfile()), "-d", str(ROOT), "start"], env)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    {"run": run, "prepare": prepare, "announce": announce}[command]()
