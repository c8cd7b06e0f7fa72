"""Shared pieces of the benchmark suite: statistics, the machine description, a source API under
gunicorn with server-side request times, and subprocess helpers.

Server-side time is gunicorn's own request time (`%(D)s` in the access log, microseconds from
the request read to the response written), so it leaves the client's HTTP stack out."""

import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
SERVER_THREADS = 8  # as deploy/demo.py runs a source API: one worker, eight threads
# The benchmarks measure capacity, not a deployment's abuse limits: every API call is still counted
# by the throttles (their cost is in the figures), at rates no benchmark reaches.
UNTHROTTLED = {
    f"CT_THROTTLE_{scope}": "1000000/min" for scope in ("USER", "ANON", "WRITES", "INGEST", "ASSISTED_TRIAGE")
}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


def stats_ms(seconds: list[float]) -> dict:
    return {
        "n": len(seconds),
        "median_ms": round(median(seconds) * 1000, 2),
        "p95_ms": round(p95(seconds) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2) if seconds else None,
    }


def machine() -> dict:
    import duckdb

    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in _lines("/proc/cpuinfo") if ln.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(ln.split()[1]) for ln in _lines("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def base_env(data_dir: Path, **extra: str) -> dict:
    """The environment of a process serving `data_dir` (no CT_* settings leak in from the caller)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT_", "AWS_BASE", "AZURE_BASE"))}
    env.pop("DATABASE_URL", None)
    env.update(
        CT_DATA_DIR=str(data_dir),
        CT_WAREHOUSE_BACKEND="duckdb",
        DJANGO_SETTINGS_MODULE="controltower.settings",
        DEBUG="0",
        SECRET_KEY="bench-only",
        LOG_LEVEL="WARNING",
        **UNTHROTTLED,
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout.strip()


_handed_out: set[int] = set()
_handing = threading.Lock()


def free_port() -> int:
    """A free localhost port: from BENCH_PORTS (`first-last`, for a machine where each user keeps to
    a range) when set, else one the system picks."""
    first, _, last = os.environ.get("BENCH_PORTS", "").partition("-")
    with _handing:
        return _next_port(int(first), int(last or first)) if first else _system_port()


def _next_port(first: int, last: int) -> int:
    for port in range(first, last + 1):
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise SystemExit(f"no free port left in BENCH_PORTS {first}-{last}")


def _system_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A source API (gunicorn, one gthread worker) on a data directory, with an access log of
    server-side request times."""

    def __init__(self, data_dir: Path, threads: int = SERVER_THREADS, port: int | None = None, **env: str):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"access-{self.port}.log"
        cmd = [GUNICORN, "controltower.wsgi", "--workers", "1", "--worker-class", "gthread",
               "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}", "--timeout", "300",
               "--keep-alive", "30", "--log-level", "warning", "--access-logfile", str(self.log),
               "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]  # fmt: skip
        self.errors = (data_dir / f"server-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=base_env(data_dir, **env), stderr=self.errors)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/version")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the source API did not start on {self.data_dir}")

    def worker_pid(self) -> int | None:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            return None
        return pids[0] if pids else None

    def log_offset(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def server_times(self, since: int, path: str | None = None) -> list[float]:
        """Seconds per 2xx request (to `path`, if given) logged after byte offset `since`."""
        with self.log.open() as f:
            f.seek(since)
            rows = [ln.split() for ln in f]
        ok = [r for r in rows if len(r) == 4 and path in (None, r[1]) and r[2].startswith("2")]
        return [int(r[3]) / 1e6 for r in ok]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.errors.close()


def _status_mb(pid: int | None, field: str) -> float | None:
    """A kB field of /proc/<pid>/status, in MB."""
    if pid is None:
        return None
    for ln in _lines(f"/proc/{pid}/status"):
        if ln.startswith(f"{field}:"):
            return round(int(ln.split()[1]) / 1024, 1)
    return None


def peak_rss_mb(pid: int | None) -> float | None:
    """VmHWM (peak resident set) of a process, in MB."""
    return _status_mb(pid, "VmHWM")


def rss_mb(pid: int | None) -> float | None:
    return _status_mb(pid, "VmRSS")


class Client:
    """One keep-alive HTTP connection with a token."""

    def __init__(self, url: str, token: str | None = None):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.headers = {"Authorization": f"Token {token}"} if token else {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            self.conn.request("GET", path, headers=self.headers)
            response = self.conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
