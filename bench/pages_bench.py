"""Scenario 8: the control tier's ops pages over two real source APIs at the bench's run count.

Two source APIs (gunicorn, one worker, eight threads, as scenario 1 serves one) on the demo estates
of "aws" and "azure" (bench/data.py), and the control tier (gunicorn, the same shape, no warehouse)
over them: CT_SOURCES names both, each with its bench viewer token; CT_PUBLIC_READ lets the bench
read the pages without a session, so they render as a viewer sees them. Each page is requested
`iterations` times after warm-up, one page after the other. The figure is the control tier's
server-side time (gunicorn's request time, as every figure): the whole page — its aggregate calls
(in-process), the sources' answers over HTTP, the merge and the template. The baseline is the
slowest source's server time for the summary in the same run, so a ratio says what a page costs
beyond its heaviest source call.

A page that shows the source-health banner (a source timed out or failed) counts as an error: its
time would not be the page's. The pages keep their answers and refresh them in the background
(aggregate_app/pages/kept.py), so each page also reports its warm-up request's time
(`first_request_ms`: the first page load after start reads every source; later pages share some
answers) and the oldest "Data as of" it served (`max_data_age_s`)."""

import re
import time
from datetime import UTC, datetime
from pathlib import Path

from common import Client, Server, base_env, manage, peak_rss_mb, stats_ms

PAGES = {
    "page_overview": "/?view=overview",
    "page_overview_pipelines": "/?view=overview&ov_page=3",  # the pipelines table, paged
    "page_incidents": "/?view=incidents",
    "page_costs": "/?view=costs",
    "page_governance": "/?view=governance",
    "page_policy": "/?view=policy",
    "page_alerts": "/ops/alerts/",  # alerting_app: the control tier's own alert incidents
}
DEGRADED = b'data-testid="source-banner"'
AS_OF = re.compile(rb"Data as of (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
EVALUATE = (
    "from alerting_app import collect, evaluation; from alerting_app.models import AlertIncident; "
    "evaluation.evaluate(collect.observe(), collect.downstream); print(AlertIncident.objects.count())"
)


def control_env(sources: dict[str, tuple[str, str]], **extra: str) -> dict:
    """The control tier's settings over {name: (url, token)}."""
    env = {
        "CT_WAREHOUSE_BACKEND": "none",
        "CT_PUBLIC_READ": "1",
        "CT_SOURCES": ",".join(f"{name}={url}" for name, (url, _) in sources.items()),
        **extra,
    }
    for name, (_, token) in sources.items():
        env[f"CT_SOURCE_{name.upper().replace('-', '_')}_TOKEN"] = token
    return env


def start_control(data_dir: Path, env: dict, alerts: bool = False) -> tuple[Server, str | None]:
    """The control tier on `data_dir`, migrated; with `alerts`, after one alert evaluation over the
    sources (as the minute job runs it), so the Alerts page has the estate's alert incidents."""
    data_dir.mkdir(parents=True, exist_ok=True)
    manage(base_env(data_dir, **env), "migrate", "--noinput")
    evaluated = manage(base_env(data_dir, **env), "shell", "-c", EVALUATE) if alerts else None
    return Server(data_dir, **env), evaluated


def _times(server: Server, offset: int, path: str, expected: int) -> list[float]:
    for _ in range(50):  # gunicorn writes the access line after the response
        times = server.server_times(offset, path)
        if len(times) >= expected:
            return times
        time.sleep(0.05)
    return times


def _data_age_s(body: bytes) -> float | None:
    """How old the page's oldest answer was when it was served ("Data as of", kept answers)."""
    found = AS_OF.search(body)
    if not found:
        return None
    as_of = datetime.strptime(found.group(1).decode(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return round((datetime.now(UTC) - as_of).total_seconds(), 1)


def page_times(control: Server, path: str, iterations: int, warmup: int) -> dict:
    client = Client(control.url)
    logged_path = path.split("?")[0]
    first = control.log_offset()
    for _ in range(warmup):
        status, body, _ = client.get(path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status} {body[:300]!r}")
    offset = control.log_offset()
    errors, degraded, sizes, client_s, ages = 0, 0, [], [], []
    for _ in range(iterations):
        status, body, took = client.get(path)
        errors += status != 200
        degraded += DEGRADED in body
        sizes.append(len(body))
        client_s.append(took)
        ages.append(_data_age_s(body))
    warm = _times(control, first, logged_path, warmup)
    return {
        "path": path,
        "server": stats_ms(_times(control, offset, logged_path, iterations)),
        "client": stats_ms(client_s),
        "first_request_ms": round(warm[0] * 1000, 1) if warm else None,
        "max_data_age_s": max((a for a in ages if a is not None), default=None),
        "errors": errors,
        "degraded_pages": degraded,
        "response_bytes": max(sizes),
    }


def run(estates: dict[str, dict], iterations: int, warmup: int, work: Path) -> dict:
    """{pages: {figure: times}, baseline: the slowest source's /api/summary, process: control RSS}."""
    servers = {name: Server(Path(ds["data_dir"])) for name, ds in estates.items()}
    control = None
    try:
        wired = {name: (s.url, estates[name]["token"]) for name, s in servers.items()}
        control, alerts = start_control(work / "control", control_env(wired), alerts=True)
        pages = {fig: page_times(control, path, iterations, warmup) for fig, path in PAGES.items()}
        baseline = {}
        for name, server in servers.items():
            client, offset = Client(server.url, estates[name]["token"]), server.log_offset()
            for _ in range(iterations):
                client.get("/api/summary")
            baseline[name] = stats_ms(_times(server, offset, "/api/summary", iterations))
        process = {"control_worker_peak_rss_mb": peak_rss_mb(control.worker_pid())}
        pages["page_alerts"]["alert_incidents"] = int(alerts.splitlines()[-1])
    finally:
        for server in [*servers.values(), *([control] if control else [])]:
            server.stop()
    return {"pages": pages, "source_summary": baseline, "process": process}
