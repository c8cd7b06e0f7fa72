"""Two real source APIs ("aws", "azure") for the aggregate tests: gunicorn processes on free
localhost ports, each with its own data directory, migrated, loaded with the demo estate
(`warehouse_init` + `load_demo --pipelines 40 --days 8`), and a service account (governance_admin
+ "service") whose token the control tier uses. Started once per test process, stopped at exit."""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
SERVICE_USER = "svc-control"
STRIPPED = ("CT_", "AWS_BASE", "AZURE_BASE", "DATABASE_URL", "SF_", "CELERY_", "GITHUB_")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def source_env(data_dir: Path, name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED)}
    env.update(
        CT_DATA_DIR=str(data_dir),
        CT_WAREHOUSE_BACKEND="duckdb",
        CT_SOURCE_NAME=name,
        DJANGO_SETTINGS_MODULE="controltower.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(data_dir: Path, name: str, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=source_env(data_dir, name), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"[{name}] manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


ADD_SERVICE_GROUP = (
    "from django.contrib.auth.models import Group, User; "
    f"User.objects.get(username={SERVICE_USER!r}).groups.add(Group.objects.get(name='service'))"
)


@dataclass
class LiveSource:
    name: str
    data_dir: Path
    token: str = ""
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> "LiveSource":
        manage(self.data_dir, self.name, "migrate", "--noinput", "-v", "0")
        self.token = manage(self.data_dir, self.name, "ct_user", SERVICE_USER, "--role", "governance_admin")
        self.token = self.token.splitlines()[-1]
        manage(self.data_dir, self.name, "shell", "-c", ADD_SERVICE_GROUP)
        manage(self.data_dir, self.name, "warehouse_init")
        manage(
            self.data_dir, self.name, "load_demo", "--source", self.name, "--pipelines", "40", "--days", "8"
        )
        return self

    def start(self) -> "LiveSource":
        self.port = free_port()
        log = (self.data_dir / "server.log").open("ab")
        cmd = [
            GUNICORN,
            "controltower.wsgi",
            "-b",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--threads",
            "8",
        ]
        env = source_env(self.data_dir, self.name)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout: float = 60) -> "LiveSource":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited: {(self.data_dir / 'server.log').read_text()[-2000:]}"
                )
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /health at {self.url}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_live: dict[str, LiveSource] = {}


def live_sources() -> dict[str, LiveSource]:
    """{"aws": LiveSource, "azure": LiveSource}, prepared in parallel, started once."""
    if not _live:
        base = Path(tempfile.mkdtemp(prefix="ct-agg-live-"))
        sources = {n: LiveSource(n, base / n) for n in ("aws", "azure")}
        for s in sources.values():
            s.data_dir.mkdir(parents=True)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda s: s.prepare().start().wait(), sources.values()))
        _live.update(sources)

        def stop():
            for s in sources.values():
                s.stop()
            shutil.rmtree(base, ignore_errors=True)

        atexit.register(stop)
    return _live
