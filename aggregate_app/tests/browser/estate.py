"""A live, demo-like Control Tower for the browser tests: two source APIs ("aws", "azure") with
demo telemetry (`load_demo --pipelines 40 --days 10`) and a service account (governance_admin +
"service", so audit rows name the person the control tier acts for), a control tier fanning out
to them, and a second control tier whose "azure" points at a closed port. Every tier is a
gunicorn on a free localhost port with its own data directory; the control tiers share one
(users and sessions)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
STRIPPED = ("CT_", "AWS_BASE", "AZURE_BASE", "DATABASE_URL", "SF_", "CELERY_", "GITHUB_", "SMOKE_")
SERVICE_USER = "svc-control"
USERS = {"viewer": ("olivia", "viewer"), "admin": ("grace", "governance_admin")}
PASSWORD = "browser-pass-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tier_env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED)}
    env.update(
        CT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="controltower.settings", PYTHONUNBUFFERED="1"
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


@dataclass
class Tier:
    name: str
    data_dir: Path
    env: dict
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Tier":
        log = (self.data_dir / f"{self.name}.log").open("ab")
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

    def wait(self, timeout: float = 60) -> "Tier":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.data_dir / f"{self.name}.log").read_text()[-2000:]
                raise RuntimeError(f"{self.name} exited:\n{log}")
            try:
                if requests.get(self.url + "/health", timeout=2).status_code in (200, 503):
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
    sources: dict[str, Tier]
    control: Tier
    degraded: Tier  # the control tier whose azure source is a closed port
    tokens: dict[str, str]

    def stop(self) -> None:
        for tier in (self.degraded, self.control, *self.sources.values()):
            tier.stop()
        shutil.rmtree(self.base, ignore_errors=True)


USERS_SCRIPT = f"""
from django.contrib.auth.models import Group
from controltower.accounts import ensure_user
for username, role in {list(USERS.values())!r}:
    ensure_user(username, role, password={PASSWORD!r})
service, token = ensure_user({SERVICE_USER!r}, "governance_admin")
service.groups.add(Group.objects.get_or_create(name="service")[0])
print(token.key)
"""
LOAD_SCRIPT = """
from django.core.management import call_command
call_command("warehouse_init")
call_command("load_demo", source={name!r}, pipelines=40, days=10)
"""


def prepare_template(base: Path) -> tuple[Path, str]:
    """One migrated governance database with every user (the tiers get copies): (dir, service token)."""
    template = base / "template"
    template.mkdir()
    env = tier_env(template)
    manage(env, "migrate", "--noinput", "-v", "0")
    return template, manage(env, "shell", "-c", USERS_SCRIPT).splitlines()[-1]


def prepare_source(base: Path, template: Path, name: str) -> Tier:
    data_dir = base / name
    shutil.copytree(template, data_dir)
    env = tier_env(data_dir, CT_WAREHOUSE_BACKEND="duckdb", CT_SOURCE_NAME=name)
    manage(env, "shell", "-c", LOAD_SCRIPT.format(name=name))
    return Tier(name, data_dir, env).start()


def control_tier(name: str, data_dir: Path, urls: dict[str, str], tokens: dict[str, str]) -> Tier:
    env = tier_env(
        data_dir,
        CT_WAREHOUSE_BACKEND="none",
        CT_SOURCES=",".join(f"{n}={u}" for n, u in urls.items()),
        CT_SOURCE_TIMEOUT_S="5",
        **{f"CT_SOURCE_{n.upper()}_TOKEN": t for n, t in tokens.items()},
    )
    return Tier(name, data_dir, env).start()


def start_estate() -> Estate:
    base = Path(tempfile.mkdtemp(prefix="ct-pages-browser-"))
    started: list[Tier] = []
    try:
        template, token = prepare_template(base)
        with ThreadPoolExecutor(2) as pool:
            futures = {n: pool.submit(prepare_source, base, template, n) for n in ("aws", "azure")}
            sources = {n: f.result() for n, f in futures.items()}
        started += sources.values()
        tokens = {n: token for n in sources}
        control_dir = base / "control"
        shutil.copytree(template, control_dir)
        control = control_tier("control", control_dir, {n: t.url for n, t in sources.items()}, tokens)
        started.append(control)
        dead = {"aws": sources["aws"].url, "azure": f"http://127.0.0.1:{free_port()}"}
        degraded = control_tier("control-degraded", control_dir, dead, tokens)
        started.append(degraded)
        for tier in started:
            tier.wait()
    except BaseException:
        for tier in started:
            tier.stop()
        shutil.rmtree(base, ignore_errors=True)
        raise
    return Estate(base, sources, control, degraded, tokens)
