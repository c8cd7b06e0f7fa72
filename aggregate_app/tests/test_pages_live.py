"""The ops pages over two live source APIs (gunicorn over demo estates), this process the control
tier: a figure on a page is the figure the sources' API gives, and a link from a figure opens the
rows it counts, with the same total."""

import re
import time
from html import unescape

import pytest
import requests
from django.test import Client
from django.utils.html import escape

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
COUNTS = ("dq_failures", "policy_mismatches", "unmanaged_exceptions")


@pytest.fixture
def page(live_control, viewer):
    client = Client()
    client.force_login(viewer)

    def get(query: str) -> str:
        response = client.get("/" + query.replace("&amp;", "&").split("#")[0])
        assert response.status_code == 200, response.content[:500]
        html = response.content.decode()
        assert 'data-testid="source-banner"' not in html  # both sources answered
        return html

    return get


def number(text: str) -> int:
    return int(text.replace(",", ""))


def count_in(html: str, heading_id: str) -> int:
    """The count beside a section's heading."""
    return number(re.search(rf'id="{heading_id}">[^<]*<span class="count">([\d,]+)', html).group(1))


@pytest.fixture
def unmanaged_mismatch(live_control, client_for, governance_admin):
    """A critical aws pipeline assigned the relaxed profile, no exception: a policy mismatch and an
    unmanaged exception in its team's scorecard (removed afterwards)."""
    admin = client_for(governance_admin)
    found = admin.get("/api/aggregate/pipelines?source=aws&criticality=critical&limit=1").json()["items"][0]
    target = {"scope": "pipeline", "target_id": found["pipeline_id"]}
    path = "/api/aggregate/policies/profiles/{}?source=aws"
    payload = {**target, "profile": "relaxed", "reason": f"pages live test {time.monotonic_ns()}"}
    assert admin.post(path.format("assign"), payload, format="json").status_code == 200
    yield found
    admin.post(path.format("remove"), {**target, "reason": "pages live test done"}, format="json")


def scorecard_counts(html: str) -> dict[str, dict[str, int]]:
    """{team: {column: count}} as the Governance page's scorecards show them."""
    table = html.split('data-testid="scorecards-table"')[1].split("</table>")[0]
    out = {}
    for team, row in re.findall(r'data-team="([^"]+)">(.*?)</tr>', table, re.S):
        cells = dict(re.findall(r'data-col="(\w+)">(?:<a [^>]*>)?([\d,]+)', row))
        out[unescape(team)] = {key: number(cells[key]) for key in COUNTS}  # as the page's reader sees it
    return out


def sources_scorecards(live: dict) -> dict[str, dict[str, int]]:
    """The same counts from each source's own /api/scorecards/teams, added up per team."""
    out: dict = {}
    for source in live.values():
        body = requests.get(
            f"{source.url}/api/scorecards/teams?limit=500",
            headers={"Authorization": f"Token {source.token}"},
            timeout=60,
        ).json()
        for card in body["items"]:
            team = out.setdefault(card["team"], dict.fromkeys(COUNTS, 0))
            for key in COUNTS:
                team[key] += card[key]
    return out


def test_scorecard_counts_are_the_sources_numbers_and_open_their_rows(live_control, page, unmanaged_mismatch):
    html = page("?view=governance&gov_source=both&gov_days=7")
    shown = scorecard_counts(html)
    assert shown == sources_scorecards(live_control)
    team = unmanaged_mismatch["team"]
    assert shown[team]["policy_mismatches"] >= 1 and shown[team]["unmanaged_exceptions"] >= 1
    assert sum(t["dq_failures"] for t in shown.values()) > 0  # the demo's failing pipelines
    row = html.split(f'data-team="{escape(team)}"')[1].split("</tr>")[0]
    links = dict(re.findall(r'data-col="(\w+)"><a href="([^"]+)"', row))
    mismatches = page(links["policy_mismatches"])
    assert count_in(mismatches, "effective-title") == shown[team]["policy_mismatches"]
    assert unmanaged_mismatch["pipeline_id"] in effective_table(mismatches)
    unmanaged = page(links["unmanaged_exceptions"])
    assert count_in(unmanaged, "effective-title") == shown[team]["unmanaged_exceptions"]
    # a team's DQ failures open the DQ drilldown filtered to it (a team without any shows a plain 0)
    failing = next(t for t, counts in shown.items() if counts["dq_failures"])
    row = html.split(f'data-team="{escape(failing)}"')[1].split("</tr>")[0]
    dq = re.search(r'data-col="dq_failures"><a href="([^"]+)"', row).group(1)
    assert count_in(page(dq), "drill-title") == shown[failing]["dq_failures"]
    assert re.search(r'data-col="unmanaged_exceptions">0<', html)  # other teams: no link to an empty list


def effective_table(html: str) -> str:
    return html.split('data-testid="effective-table"')[1].split("</table>")[0]


def test_each_headline_card_opens_a_list_with_its_total(page):
    html = page("?view=overview&ov_source=both")
    targets = {
        "pipelines": "pipelines-title",
        "sla_breaches": "sla-breaches",
        "stale_datasets": "stale-datasets",
        "failures_24h": "incidents-title",
    }
    for key, heading in targets.items():
        card = re.search(rf'<a class="card" href="([^"]+)" data-kpi="{key}".*?</a>', html, re.S)
        assert card is not None, f"the {key} headline is not a link"
        value = number(re.search(r'<div class="card-value">([\d,]+)</div>', card.group(0)).group(1))
        href = card.group(1).replace("&amp;", "&")
        assert href.endswith("#" + heading)
        assert count_in(page(href), heading) == value, key
    assert value > 0  # the demo has failed runs in the last 24 h


def test_top_impacted_assets_name_each_failing_pipeline(page):
    html = page("?view=overview&ov_source=both")
    cells = re.findall(r'data-testid="failing-pipelines">(.*?)</td>', html, re.S)
    assert cells  # the demo's failing pipelines reach dashboards and reports
    for cell in cells:
        named = re.findall(r'pipeline_id=([^"&]+)">(.*?)</a>(?: <code class="id sub">([^<]+))?', cell)
        assert named, cell
        for pid, text, code in named:
            assert code == pid and text != pid, cell  # the name leads, the id is secondary
