"""One impact: every incident's `impacted_consumers` is the number of consumers its explanation
lists, and the action panel says that number — for every incident of a generated demo estate
(in-process: source API, explanation and the rendered panel), and on live processes (gunicorn
sources behind a gunicorn control tier: the aggregate API and the incidents page)."""

import html
import re
from datetime import UTC

import pytest
import requests
import time_machine
from django.template.loader import render_to_string

from aggregate_app.pages import action
from pipelines_app.demo import load_demo
from testsupport.live_servers import live_estate, manage
from testsupport.warehouse import NOW

DEMO = {"pipelines": 30, "days": 3}
ALL_OF_IT = f"hours={24 * DEMO['days']}"  # the window that holds every incident of the estate
PAGE = 100


@pytest.fixture
def warehouse(duckdb_warehouse):
    """DuckDB alone: the demo estate is thousands of rows."""
    return duckdb_warehouse


@pytest.fixture
def demo(warehouse, db):
    load_demo(warehouse, "aws", now=NOW, seed=3, **DEMO)
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=False):
        yield


def every_incident(api) -> list[dict]:
    items, offset = [], 0
    while True:
        body = api.get(f"/api/incidents?{ALL_OF_IT}&offset={offset}&limit={PAGE}").json()
        items += body["items"]
        offset += PAGE
        if offset >= body["total"]:
            return items


def explanation(api, incident: dict) -> tuple[str, dict]:
    """(origin, answer) as the action panel asks: explain-run for a failed run, the triage query
    on the pipeline for an SLA breach."""
    if incident["run_id"]:
        return "explain_run", api.get(f"/api/explain/run/{incident['run_id']}").json()
    body = {"pipeline_id": incident["pipeline_id"], "mode": "deterministic"}
    return "triage_query", api.post("/api/triage/query", body, format="json").json()


def affected(text: str) -> int:
    """N of the summary's "N downstream consumer(s) affected"."""
    return int(re.search(r"(\d+) downstream consumer\(s\) affected", text).group(1))


def shown_count(panel_html: str) -> int:
    """The number in the panel's impact heading."""
    return int(
        re.search(r'data-testid="impacted-count">([\d,]+) downstream', panel_html).group(1).replace(",", "")
    )


def test_every_incident_counts_the_consumers_its_explanation_and_panel_show(client_for, viewer, demo):
    api = client_for(viewer)
    incidents = every_incident(api)
    assert {i["kind"] for i in incidents} == {"run_failed", "sla_breach"}
    deepest = 0
    for incident in incidents:
        origin, answer = explanation(api, incident)
        consumers = answer["impacted_consumers"]
        deepest = max([deepest, *(c["depth"] for c in consumers)])
        counted = (incident["impacted_consumers"], incident["impact_truncated"])
        assert counted == (len(consumers), answer["impact_summary"]["truncated"]), incident["incident_id"]
        assert affected(answer["summary"]) == len(consumers), incident["incident_id"]
        panel = action.panel(answer, origin=origin, source="aws", incident=incident)
        rendered = render_to_string("ops/partials/action_panel.html", {"panel": panel, "prefix": "incident"})
        assert shown_count(rendered) == affected(html.unescape(rendered)) == len(consumers)
    assert deepest > 5  # consumers past the five edges explain-run used to stop at are counted


@pytest.mark.slow
def test_a_live_control_tier_shows_each_incidents_own_count():
    estate = live_estate()
    control = estate.control.url
    token = {"Authorization": f"Token {estate.token}"}
    listing = requests.get(
        f"{control}/api/aggregate/incidents?source=aws&limit=500", headers=token, timeout=60
    )
    incidents = listing.json()["items"]
    runs = [i for i in incidents if i["run_id"]]
    assert runs and max(i["impacted_consumers"] for i in runs) > 0
    for incident in incidents:  # every incident the control tier lists for the source
        if incident["run_id"]:
            url = f"{control}/api/aggregate/explain/run/{incident['run_id']}?source=aws"
            answer = requests.get(url, headers=token, timeout=60).json()
        else:
            body = {"source": "aws", "pipeline_id": incident["pipeline_id"], "mode": "deterministic"}
            answer = requests.post(
                f"{control}/api/aggregate/triage/query", json=body, headers=token, timeout=60
            )
            answer = answer.json()
        assert len(answer["impacted_consumers"]) == incident["impacted_consumers"], incident["incident_id"]

    pages = signed_in(estate)
    most = max(runs, key=lambda i: (i["impacted_consumers"], i["incident_id"]))
    for incident in [most, *[i for i in incidents if not i["run_id"]][:1]]:
        query = {"view": "incidents", "inc_source": "aws", "incident": incident["incident_id"]}
        page = pages.get(f"{control}/", params=query, timeout=60)
        assert page.status_code == 200
        panel = html.unescape(page.text.split('data-testid="action-panel"')[1])
        assert shown_count(panel) == affected(panel) == incident["impacted_consumers"], incident[
            "incident_id"
        ]


def signed_in(estate) -> requests.Session:
    """A browser session on the live control tier, signed in as a viewer with a password."""
    manage(
        estate.control.data_dir, "ct_user", "impact-viewer", "--role", "viewer", "--password", "pw-impact-42"
    )
    session = requests.Session()
    form = session.get(f"{estate.control.url}/login/", timeout=30).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    login = {
        "username": "impact-viewer",
        "password": "pw-impact-42",
        "csrfmiddlewaretoken": csrf,
        "next": "/",
    }
    response = session.post(f"{estate.control.url}/login/", data=login, timeout=30, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session
