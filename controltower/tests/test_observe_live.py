"""A real gunicorn with two workers, as the deployment runs it with PROMETHEUS_MULTIPROC_DIR and
LOG_FORMAT=json: /metrics adds up what every worker counted, and every log line (gunicorn's own
too) is a JSON object; the application's carry the id of the request they were written for (the
X-Request-ID the client got)."""

import json
import subprocess
import time

import requests

from testsupport.live_servers import GUNICORN, ROOT, free_port, tier_env
from testsupport.metrics import Scrape

REQUESTS = 12


def started(tmp_path, **env) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    command = [GUNICORN, "controltower.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"]
    command += ["--access-logfile", "-"]  # as deploy/startup.sh serves
    proc = subprocess.Popen(
        command, cwd=ROOT, env=tier_env(tmp_path, **env), stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/version", timeout=30)
            return proc, url
        except requests.RequestException:
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "server.log").read_text()[-2000:]) from None
            time.sleep(0.2)
    proc.terminate()
    proc.wait(timeout=30)
    raise AssertionError("gunicorn did not answer")


def test_two_workers_share_metrics_and_log_json_with_the_request_id(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    proc, url = started(tmp_path, LOG_FORMAT="json", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    try:
        request_ids = {}
        with requests.Session() as session:
            for i in range(REQUESTS):
                answer = requests.get(f"{url}/no/such/page-{i}", timeout=10)  # a new connection each
                assert answer.status_code == 404
                request_ids[f"/no/such/page-{i}"] = answer.headers["X-Request-ID"]
            page = Scrape(session.get(url + "/metrics", timeout=10).text)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert page.value("ct_http_requests_total", route="<unmatched>", status="404") == REQUESTS
    assert page.value("ct_http_request_duration_seconds_count", route="<unmatched>") == REQUESTS
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 1

    records = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]  # every line
    not_found = {
        r["message"].removeprefix("Not Found: "): r for r in records if r["message"].startswith("Not Found")
    }
    assert set(not_found) == set(request_ids)
    assert sum(r["message"].startswith("Not Found") for r in records) == REQUESTS  # each once
    for path, record in not_found.items():
        assert record["request_id"] == request_ids[path]
        assert (record["level"], record["logger"]) == ("WARNING", "django.request")
        assert record["timestamp"].endswith("+00:00")
        assert "trace_id" not in record  # tracing is off
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert sum("GET /no/such/page-0 " in r["message"] for r in access) == 1
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records)
