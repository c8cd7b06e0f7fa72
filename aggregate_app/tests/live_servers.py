"""Real Control Tower processes on free localhost ports, for the smoke, deploy and jobs tests:
two source APIs ("aws", "azure") over small demo estates and a control tier fanning out to them,
each a gunicorn with its own data directory, migrated, sharing one viewer token.

`live_estate()` starts them on first use and keeps them for the test session (a module
singleton, so every test module shares one set); they stop when the test process exits.
`start_control(...)` starts an extra control tier (e.g. one whose azure source is stopped)."""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
BUILD = {"BUILD_ID": "build-4711", "GIT_SHA": "0123abcd4567ef89", "RELEASE_TAG": "v2026.11.1"}
NO_BUILD = {"BUILD_ID": "", "GIT_SHA": "", "RELEASE_TAG": ""}
DEMO_PIPELINES, DEMO_DAYS = "40", "8"  # small demo estates: p2 (every 5 minutes) has > 1000 runs in 7 days
STRIPPED = (
    "CT_",
    "AWS_BASE",
    "AZURE_BASE",
    "DATABASE_URL",
    "SF_",
    "CELERY_",
    "SMOKE_",
    "BUILD_ID",
    "GIT_SHA",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED) and k != "RELEASE_TAG"}
    env.update(
        CT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="controltower.settings", PYTHONUNBUFFERED="1"
    )
    env.update(extra)
    return env


def manage(data_dir: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=base_env(data_dir, **env), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


@dataclass
class Server:
    name: str
    data_dir: Path
    env: dict
    port: int = 0
    proc: subprocess.Popen | None = None
    injected: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.port = self.port or free_port()
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
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout: float = 60) -> "Server":
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


@dataclass
class Estate:
    base: Path
    template: Path
    token: str
    aws: Server
    azure: Server
    control: Server
    extra: list

    def stop(self) -> None:
        for server in (*self.extra, self.control, self.aws, self.azure):
            server.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def new_dir(estate_base: Path, template: Path, name: str) -> Path:
    target = estate_base / name
    shutil.copytree(template, target)
    return target


def source_server(base: Path, template: Path, name: str, build: dict) -> Server:
    """A source API over the demo estate (`warehouse_init` + `load_demo`); `injected` lists the
    pipelines the demo gave a cost anomaly on the latest day."""
    data_dir = new_dir(base, template, name)
    manage(data_dir, "warehouse_init", CT_WAREHOUSE_BACKEND="duckdb")
    out = manage(data_dir, "load_demo", "--source", name, "--pipelines", DEMO_PIPELINES, "--days", DEMO_DAYS,
                 CT_WAREHOUSE_BACKEND="duckdb")  # fmt: skip
    found = re.search(r"cost anomalies injected on the latest day: (.+)", out)
    env = base_env(data_dir, CT_WAREHOUSE_BACKEND="duckdb", CT_SOURCE_NAME=name, **build)
    server = Server(name, data_dir, env)
    server.injected = sorted(p.strip() for p in found.group(1).split(",")) if found else []
    return server


def control_env(data_dir: Path, token: str, sources: dict[str, str], build: dict) -> dict:
    tokens = {f"CT_SOURCE_{n.upper()}_TOKEN": token for n in sources}
    ct_sources = ",".join(f"{n}={u}" for n, u in sources.items())
    return base_env(data_dir, CT_WAREHOUSE_BACKEND="none", CT_SOURCES=ct_sources, **tokens, **build)


def start_control(name: str, sources: dict[str, str], build: dict = BUILD) -> Server:
    """Another control tier over `sources` (name -> URL), stopped with the estate."""
    estate = live_estate()
    data_dir = new_dir(estate.base, estate.template, name)
    server = Server(name, data_dir, control_env(data_dir, estate.token, sources, build)).start().wait()
    estate.extra.append(server)
    return server


_estate: Estate | None = None


def live_estate() -> Estate:
    global _estate
    if _estate is None:
        _estate = _start_estate()
        atexit.register(_estate.stop)
    return _estate


def _start_estate() -> Estate:
    base = Path(tempfile.mkdtemp(prefix="ct-live-"))
    template = base / "template"
    template.mkdir()
    manage(template, "migrate", "--noinput", "-v", "0")
    token = manage(template, "ct_user", "smoke", "--role", "viewer").splitlines()[-1]
    aws = source_server(base, template, "aws", BUILD).start()
    azure = source_server(base, template, "azure", NO_BUILD).start()
    control_dir = new_dir(base, template, "control")
    sources = {"aws": aws.url, "azure": azure.url}
    control = Server("control", control_dir, control_env(control_dir, token, sources, BUILD)).start()
    for server in (aws, azure, control):
        server.wait()
    return Estate(base, template, token, aws, azure, control, [])
