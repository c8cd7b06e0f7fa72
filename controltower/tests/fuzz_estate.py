"""What the fuzzer aims at: a live source API (gunicorn over a migrated data directory, the demo
estate `load_demo --source aws --pipelines 30 --days 8`, a governance_admin token from
`manage.py ct_user fuzz`) and a live control tier fanning out to it with a service account.

Started once per test process (a module singleton, like testsupport/live_servers.py,
whose Server and manage helpers it reuses) and stopped at exit."""

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from testsupport.live_servers import Server, base_env, free_port, manage

DEMO = ("--source", "aws", "--pipelines", "30", "--days", "8")
SERVICE = "svc-fuzz"
# The fuzzer sends hundreds of calls a minute as one person: it checks conformance, not the rates
# (test_throttles.py does; 429 is in the schema either way), so no rate applies here.
NO_RATES = {f"CT_THROTTLE_{s}": "" for s in ("USER", "ANON", "WRITES", "INGEST", "ASSISTED_TRIAGE")}


@dataclass
class FuzzEstate:
    base: Path
    token: str  # governance_admin on both tiers
    source: Server
    control: Server
    control_settings: dict  # what the control tier runs with beyond the defaults (for manage.py)

    def stop(self) -> None:
        for server in (self.control, self.source):
            server.stop()
        shutil.rmtree(self.base, ignore_errors=True)


_estate: FuzzEstate | None = None
# Chosen at import, so a schema loaded at collection time can name the base URLs.
SOURCE_PORT, CONTROL_PORT = free_port(), free_port()
SOURCE_URL, CONTROL_URL = f"http://127.0.0.1:{SOURCE_PORT}", f"http://127.0.0.1:{CONTROL_PORT}"


def fuzz_estate() -> FuzzEstate:
    global _estate
    if _estate is None:
        _estate = _start()
        atexit.register(_estate.stop)
    return _estate


def _start() -> FuzzEstate:
    base = Path(tempfile.mkdtemp(prefix="ct-fuzz-"))
    source_dir, control_dir = base / "aws", base / "control"
    source_dir.mkdir()
    duck = {"CT_WAREHOUSE_BACKEND": "duckdb"}
    manage(source_dir, "migrate", "--noinput", "-v", "0", **duck)
    manage(source_dir, "warehouse_init", **duck)
    manage(source_dir, "load_demo", *DEMO, **duck)
    token = manage(source_dir, "ct_user", "fuzz", "--role", "governance_admin", **duck).splitlines()[-1]
    service = manage(source_dir, "ct_user", SERVICE, "--role", "governance_admin", "--service", **duck)
    source_env = base_env(source_dir, CT_SOURCE_NAME="aws", **duck, **NO_RATES)
    source = Server("aws", source_dir, source_env, port=SOURCE_PORT).start()
    shutil.copytree(source_dir, control_dir, ignore=shutil.ignore_patterns("*.duckdb*", "server.log"))
    control_settings = {
        "CT_WAREHOUSE_BACKEND": "none",
        "CT_SOURCES": f"aws={source.url}",
        "CT_SOURCE_AWS_TOKEN": service.splitlines()[-1],
        "CT_SOURCE_TIMEOUT_S": "10",
        **NO_RATES,
    }
    control_env = base_env(control_dir, **control_settings)
    control = Server("control", control_dir, control_env, port=CONTROL_PORT).start()
    source.wait()
    control.wait()
    return FuzzEstate(base, token, source, control, control_settings)
