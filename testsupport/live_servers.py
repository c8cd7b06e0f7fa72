"""Real Control Tower processes on free localhost ports, for the smoke, deploy, jobs and live
aggregate tests: two source APIs ("aws", "azure") over small demo estates and a control tier
fanning out to them, each a gunicorn with its own data directory, migrated, sharing one viewer
token; the sources also hold a service account (governance_admin + "service") for tests that
act as a control tier themselves (aggregate_app/tests/live_sources.py).

`live_estate()` starts them on first use and keeps them for the test session (a module
singleton, so every test module shares one set); they stop when the test process exits.
`start_control(...)` starts an extra control tier (e.g. one whose azure source is stopped).

The primitives here (free_port, base_env / tier_env, manage, service_account, Server,
migrated_template, source_server, start_sources, control_env, cleaned_up_on_failure) are the one
home for every live estate: browser_estate.py and controltower/tests/fuzz_estate.py build theirs
from them."""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from testsupport.personas import ACCOUNTS

ROOT = Path(__file__).resolve().parents[1]
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
SERVICE_USER = "svc-control"


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


def tier_env(data_dir: Path, **extra: str) -> dict:
    """base_env for a server tier, also without GITHUB_* (the CI-outcomes integration's settings),
    so no tier started here calls GitHub."""
    return {k: v for k, v in base_env(data_dir, **extra).items() if not k.startswith("GITHUB_")}


def manage(data_dir: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=base_env(data_dir, **env), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def service_account(data_dir: Path, username: str = SERVICE_USER) -> str:
    """A control tier's service account (governance_admin + "service", so it may name the person
    it acts for) in `data_dir`'s governance database; its token."""
    return manage(data_dir, "ct_user", username, "--role", "governance_admin", "--service").splitlines()[-1]


def persona_accounts(data_dir: Path) -> None:
    """The test personas (testsupport.personas) as users of `data_dir`'s deployment: a
    source acts only for people it knows, so the control tier under test may act for them there."""
    script = (
        f"from controltower.accounts import ensure_user\nfor u, r in {ACCOUNTS!r}:\n    ensure_user(u, r)"
    )
    manage(data_dir, "shell", "-c", script)


@dataclass
class Server:
    name: str
    data_dir: Path
    env: dict
    port: int = 0
    proc: subprocess.Popen | None = None
    injected: list = field(default_factory=list)
    log: str = "server.log"  # in data_dir; tiers sharing a data directory need their own

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.port = self.port or free_port()
        log = (self.data_dir / self.log).open("ab")
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
                raise RuntimeError(f"{self.name} exited: {(self.data_dir / self.log).read_text()[-2000:]}")
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
    service_token: str = ""  # the service account's, on both sources (and the control tier's database)

    def flagged(self, source: Server) -> list[str]:
        """The pipelines `source` itself flags as cost anomalies on its latest day: the injected
        spikes, plus any the demo's runs made on their own (a stuck run bills all day)."""
        answer = requests.get(
            f"{source.url}/api/costs/anomalies",
            params={"anomaly_only": "true", "limit": 500},
            headers={"Authorization": f"Token {self.token}"},
            timeout=30,
        )
        answer.raise_for_status()
        return sorted(a["pipeline_id"] for a in answer.json()["items"])

    def stop(self) -> None:
        for server in (*self.extra, self.control, self.aws, self.azure):
            server.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def new_dir(estate_base: Path, template: Path, name: str) -> Path:
    target = estate_base / name
    shutil.copytree(template, target)
    return target


def migrated_template(base: Path) -> Path:
    """`base`/template: one migrated governance database, which every tier gets a copy of."""
    template = base / "template"
    template.mkdir()
    manage(template, "migrate", "--noinput", "-v", "0")
    return template


LOAD_DEMO = """
from django.core.management import call_command
call_command("warehouse_init")
call_command("load_demo", source={name!r}, pipelines={pipelines}, days={days})
"""


def source_server(base: Path, template: Path, name: str, build: dict, days: str = DEMO_DAYS) -> Server:
    """A source API over the demo estate (`warehouse_init` + `load_demo`, in one process), not
    started; `injected` lists the pipelines the demo gave a cost anomaly on the latest day."""
    data_dir = new_dir(base, template, name)
    script = LOAD_DEMO.format(name=name, pipelines=DEMO_PIPELINES, days=days)
    out = manage(data_dir, "shell", "-c", script, CT_WAREHOUSE_BACKEND="duckdb")
    found = re.search(r"cost anomalies injected on the latest day: (.+)", out)
    env = tier_env(data_dir, CT_WAREHOUSE_BACKEND="duckdb", CT_SOURCE_NAME=name, **build)
    server = Server(name, data_dir, env)
    server.injected = sorted(p.strip() for p in found.group(1).split(",")) if found else []
    return server


def start_sources(base: Path, template: Path, builds: dict[str, dict], days: str = DEMO_DAYS) -> dict:
    """{name: Server} for each source in `builds` (name -> build identity env), prepared in
    parallel, then started (not waited for)."""
    with ThreadPoolExecutor(len(builds)) as pool:
        futures = {n: pool.submit(source_server, base, template, n, b, days) for n, b in builds.items()}
        sources = {n: f.result() for n, f in futures.items()}
    return {n: server.start() for n, server in sources.items()}


def control_env(data_dir: Path, token: str, sources: dict[str, str], build: dict, **extra: str) -> dict:
    """A control tier's environment: no warehouse, fanning out to `sources` (name -> URL) with `token`."""
    tokens = {f"CT_SOURCE_{n.upper()}_TOKEN": token for n in sources}
    ct_sources = ",".join(f"{n}={u}" for n, u in sources.items())
    return tier_env(data_dir, CT_WAREHOUSE_BACKEND="none", CT_SOURCES=ct_sources, **tokens, **build, **extra)


@contextmanager
def cleaned_up_on_failure(base: Path) -> Iterator[list[Server]]:
    """Servers appended to the yielded list are stopped, and `base` removed, if the block raises."""
    started: list[Server] = []
    try:
        yield started
    except BaseException:
        for server in started:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
        raise


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
    with cleaned_up_on_failure(base) as started:
        template = migrated_template(base)
        token = manage(template, "ct_user", "smoke", "--role", "viewer").splitlines()[-1]
        service_token = service_account(template)
        persona_accounts(template)
        sources = start_sources(base, template, {"aws": BUILD, "azure": NO_BUILD})
        started += sources.values()
        aws, azure = sources["aws"], sources["azure"]
        control_dir = new_dir(base, template, "control")
        urls = {"aws": aws.url, "azure": azure.url}
        control = Server("control", control_dir, control_env(control_dir, token, urls, BUILD)).start()
        started.append(control)
        for server in started:
            server.wait()
    return Estate(base, template, token, aws, azure, control, [], service_token)
