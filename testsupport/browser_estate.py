"""A live, demo-like Control Tower for the browser tests: two source APIs ("aws", "azure") with
demo telemetry (`load_demo --pipelines 40 --days 10`) and a service account (governance_admin +
"service", so audit rows name the person the control tier acts for), a control tier fanning out
to them, and a second control tier whose "azure" points at a closed port. Every tier is a
gunicorn on a free localhost port (live_servers.Server) with its own data directory; the control
tiers share one (users and sessions)."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from testsupport.live_servers import (
    ROOT,  # noqa: F401 (the browser conftest imports it from here)
    SERVICE_USER,
    Estate,
    Server,
    cleaned_up_on_failure,
    control_env,
    free_port,
    manage,
    migrated_template,
    new_dir,
    start_sources,
)

USERS = {"viewer": ("olivia", "viewer"), "admin": ("grace", "governance_admin")}
PASSWORD = "browser-pass-123"
DEMO_DAYS = "10"
USERS_SCRIPT = f"""
from controltower.accounts import ensure_user
for username, role in {list(USERS.values())!r}:
    ensure_user(username, role, password={PASSWORD!r})
print(ensure_user({SERVICE_USER!r}, "governance_admin", service=True)[1])
"""


@dataclass
class BrowserEstate(Estate):
    degraded: Server | None = None  # the control tier whose azure source is a closed port

    def stop(self) -> None:
        if self.degraded:
            self.degraded.stop()
        super().stop()


def control_tier(name: str, data_dir: Path, urls: dict[str, str], token: str) -> Server:
    env = control_env(data_dir, token, urls, {}, CT_SOURCE_TIMEOUT_S="5")
    return Server(name, data_dir, env, log=f"{name}.log").start()


def start_estate() -> BrowserEstate:
    base = Path(tempfile.mkdtemp(prefix="ct-pages-browser-"))
    with cleaned_up_on_failure(base) as started:
        template = migrated_template(base)
        token = manage(template, "shell", "-c", USERS_SCRIPT).splitlines()[-1]  # the service account's
        sources = start_sources(base, template, {"aws": {}, "azure": {}}, days=DEMO_DAYS)
        started += sources.values()
        control_dir = new_dir(base, template, "control")
        control = control_tier("control", control_dir, {n: s.url for n, s in sources.items()}, token)
        started.append(control)
        dead = {"aws": sources["aws"].url, "azure": f"http://127.0.0.1:{free_port()}"}
        degraded = control_tier("control-degraded", control_dir, dead, token)
        started.append(degraded)
        for server in started:
            server.wait()
    aws, azure = sources["aws"], sources["azure"]
    return BrowserEstate(base, template, token, aws, azure, control, [], token, degraded)
