"""Real Control Tower processes on free localhost ports, for the smoke, deploy and jobs tests:
two source APIs ("aws", "azure") with seeded telemetry and a control tier fanning out to them,
each a gunicorn with its own data directory, migrated, sharing one viewer token.

`live_estate()` starts them on first use and keeps them for the test session (a module
singleton, so every test module shares one set); they stop when the test process exits.
`start_control(...)` starts an extra control tier (e.g. one whose azure source is stopped)."""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
BUILD = {"BUILD_ID": "build-4711", "GIT_SHA": "0123abcd4567ef89", "RELEASE_TAG": "v2026.11.1"}
NO_BUILD = {"BUILD_ID": "", "GIT_SHA": "", "RELEASE_TAG": ""}
AWS_P2_RUNS = 1100  # > ASSERT_RUNS7D_GT (1000) within the last 7 days
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


def manage(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=base_env(data_dir), capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@dataclass
class Server:
    name: str
    data_dir: Path
    env: dict
    port: int = 0
    proc: subprocess.Popen | None = None

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


def source_server(base: Path, template: Path, name: str, build: dict, runs: int) -> Server:
    data_dir = new_dir(base, template, name)
    seed_telemetry(data_dir / "telemetry.duckdb", p2_runs=runs)
    env = base_env(data_dir, CT_WAREHOUSE_BACKEND="duckdb", CT_SOURCE_NAME=name, **build)
    return Server(name, data_dir, env)


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
    aws = source_server(base, template, "aws", BUILD, AWS_P2_RUNS).start()
    azure = source_server(base, template, "azure", NO_BUILD, 40).start()
    control_dir = new_dir(base, template, "control")
    sources = {"aws": aws.url, "azure": azure.url}
    control = Server("control", control_dir, control_env(control_dir, token, sources, BUILD)).start()
    for server in (aws, azure, control):
        server.wait()
    return Estate(base, template, token, aws, azure, control, [])


def insert(wh, table: str, rows: list[dict]) -> None:
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    wh.executemany(sql, [[r[c] for c in cols] for r in rows])


def seed_telemetry(path: Path, *, p2_runs: int) -> None:
    """A small estate, relative to the real clock (the servers run in real time): p1..p5 in a
    lineage chain ending in a dashboard, p2 running every 9 minutes, 30 days of daily costs with
    an injected spike for p3 today."""
    from pipelines_app.warehouse.duckdb_backend import DuckDBWarehouse

    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    wh = DuckDBWarehouse(path)
    wh.create_schema()
    insert(wh, "PIPELINES", [pipeline_row(f"p{i}", now) for i in range(1, 6)])
    runs = [
        run_row("p2", n, now - timedelta(minutes=9 * (n + 1)), failed=n % 50 == 7) for n in range(p2_runs)
    ]
    runs += [run_row(f"p{i}", n, now - timedelta(hours=n + 1)) for i in (1, 3, 4, 5) for n in range(10)]
    insert(wh, "PIPELINE_RUNS", runs)
    insert(wh, "DATASETS", [
        dataset_row("raw_orders", "table", now),
        dataset_row("stg_orders", "table", now),
        dataset_row("mart_sales", "table", now - timedelta(days=3)),
        dataset_row("exec_dashboard", "dashboard", now),
    ])  # fmt: skip
    chain = [("p2", "raw_orders"), ("raw_orders", "p3"), ("p3", "stg_orders"), ("stg_orders", "p4"),
             ("p4", "mart_sales"), ("mart_sales", "exec_dashboard")]  # fmt: skip
    kind = lambda node: "pipeline" if node.startswith("p") and node[1:].isdigit() else "dataset"  # noqa: E731
    insert(wh, "LINEAGE_EDGES", [
        {"src_id": a, "src_kind": kind(a), "dst_id": b, "dst_kind": kind(b)} for a, b in chain
    ])  # fmt: skip
    insert(wh, "RUN_COSTS", [cost_row(f"p{i}", day, now) for day in range(30) for i in range(1, 6)])
    wh.close()


def pipeline_row(pid: str, now: datetime) -> dict:
    return {
        "pipeline_id": pid, "pipeline_name": f"{pid}_job", "team": "team-a", "domain": "finance",
        "owner": "owner@example.com", "criticality": "high", "platform": "airflow", "schedule": "*/9 * * * *",
        "expected_interval_minutes": 9 if pid == "p2" else 60, "freshness_sla_minutes": 120,
        "max_duration_minutes": 30, "runbook_url": None, "tags": "", "is_active": True,
        "created_ts": now - timedelta(days=60),
    }  # fmt: skip


def run_row(pid: str, n: int, start: datetime, *, failed: bool = False) -> dict:
    return {
        "run_id": f"{pid}-r{n:05d}", "pipeline_id": pid, "status": "FAILED" if failed else "SUCCESS",
        "start_ts": start, "end_ts": start + timedelta(minutes=4), "duration_seconds": 240,
        "rows_processed": 1000, "error_code": "E_TIMEOUT" if failed else None,
        "error_message": "Task timed out after 300s" if failed else None,
    }  # fmt: skip


def dataset_row(dataset_id: str, kind: str, updated: datetime) -> dict:
    return {
        "dataset_id": dataset_id, "name": dataset_id.replace("_", "."), "namespace": "dw", "kind": kind,
        "owner": "owner@example.com", "team": "team-a", "criticality": "high", "freshness_sla_minutes": 1440,
        "last_updated_ts": updated,
    }  # fmt: skip


def cost_row(pid: str, day: int, now: datetime) -> dict:
    amount = 95.0 if (pid, day) == ("p3", 0) else 10.0 + int(pid[1:]) + (day % 4) * 0.5  # p3 today: the spike
    return {
        "run_id": f"{pid}-c{day:03d}", "pipeline_id": pid, "usage_date": (now - timedelta(days=day)).date(),
        "cost_aud": amount, "credits_used": round(amount / 4, 4), "warehouse_name": "TRANSFORM_WH",
    }  # fmt: skip
