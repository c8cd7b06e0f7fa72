"""The ops pages over stub sources: every view renders what the sources said, state comes from
the URL, a dead source shows the banner, and policy changes go through the aggregate write route
as the signed-in user (governance admins only, CSRF-protected)."""

import re

import pytest
from django.test import Client

from .pages_estate import INCIDENT, SLA_INCIDENT, TRIAGE_ANSWER, serve

pytestmark = pytest.mark.django_db

ASSIGN = "/api/policies/profiles/assign"


@pytest.fixture
def pages_sources(stub_sources, settings):
    stubs = stub_sources("aws", "azure")
    # No stub here hangs: a page asks each source for many answers at once, and on a loaded
    # machine the fixture's 1 s would turn a slow answer into a "source down" banner.
    settings.CT_SOURCE_TIMEOUT_S = 10.0
    for name, stub in stubs.items():
        serve(stub, name)
    return stubs


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def page(pages_sources, viewer):
    client = signed_in(viewer)

    def get(query: str, status: int = 200) -> str:
        response = client.get("/" + query)
        assert response.status_code == status, response.content[:500]
        return response.content.decode()

    return get


def test_an_anonymous_visitor_is_sent_to_the_login_page(pages_sources):
    response = Client().get("/?view=costs&cost_days=14")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/%3Fview%3Dcosts%26cost_days%3D14"


def test_the_login_page_signs_in_and_returns_to_the_view(pages_sources, viewer):
    client = Client()
    assert "Sign in" in client.get("/login/").content.decode()
    response = client.post(
        "/login/", {"username": "vera", "password": "vera-pass-123", "next": "/?view=triage"}
    )
    assert response.status_code == 302 and response["Location"] == "/?view=triage"


def test_overview_shows_headlines_costs_assets_and_pipelines(page):
    html = page("?view=overview")
    # both sources run the same three pipelines: counted once, as the merged list counts them
    headline = (
        r'data-kpi="pipelines".*?card-value">3</div>.*?<span class="visually-hidden">List them.</span></a>'
    )
    assert re.search(headline, html, re.S)  # the headline...
    assert '<span class="count">3</span>' in html  # ...equals the merged list's total
    assert "A$300.00" in html  # cost_24h_aud summed across sources
    assert "Executive Dashboard" in html
    # names lead (wrapping at their separators), ids second
    assert all(n in html for n in ("orders_<wbr>ingest", "ore_<wbr>clean", "fleet_<wbr>model"))
    assert "banner" not in html.split("<main")[1].split("<h1")[0]  # healthy: no banner


def pipeline_rows(html: str) -> list[str]:
    table = html.split('data-testid="pipelines-table"')[1].split("</table>")[0]
    return re.findall(r'pipeline_id=(p\d+)"', table)


def test_overview_sorts_naturally_and_by_the_chosen_column(page):
    assert pipeline_rows(page("?view=overview")) == ["p1", "p2", "p10"]
    assert pipeline_rows(page("?view=overview&ov_sort=runs_7d&ov_dir=desc")) == ["p2", "p1", "p10"]


def test_overview_forwards_filters_to_the_sources(page, pages_sources):
    page("?view=overview&ov_source=aws&ov_team=ore&ov_status=failed&ov_search=clean")
    # the list's keys carry the filters (applied at the source, before paging); the summary's do not
    (call,) = [c for c in pages_sources["aws"].calls("/api/pipeline-keys") if c.query.get("team")]
    assert call.query["team"] == ["ore"] and call.query["status"] == ["FAILED"]
    assert call.query["search"] == ["clean"]
    assert pages_sources["azure"].calls("/api/pipeline-keys") == []


def test_a_bad_parameter_falls_back_with_a_notice(page):
    html = page("?view=governance&gov_days=400&gov_drilldown=nope")
    assert "Ignored gov_days=&#x27;400&#x27;: must be between 1 and 90." in html
    assert "Ignored gov_drilldown=&#x27;nope&#x27;" in html
    assert "Runbook coverage" in html


def test_a_stopped_source_shows_the_source_health_banner(page, pages_sources):
    pages_sources["azure"].stop()
    html = page("?view=overview")
    banner = html.split('data-testid="source-banner"')[1].split("</section>")[0]
    assert "azure" in banner and "not reachable" in banner
    assert "come from aws only" in banner
    assert "orders_<wbr>ingest" in html  # aws still served


def test_a_missing_endpoint_shows_in_the_capability_banner(page, pages_sources):
    pages_sources["azure"].routes.pop("/api/costs/trend")
    html = page("?view=costs")
    banner = html.split('data-testid="capability-banner"')[1].split("</details>")[0]
    assert "/api/costs/trend" in banner and "azure" in banner and "unsupported" in banner
    summary = banner.split("<summary>")[1].split("</summary>")[0]
    assert summary.startswith("Costs on azure not offered")  # which capability and where, not "1 capability"


def test_incident_action_panel_from_explain_run(page):
    html = page("?view=incidents&incident=run:aws-p1-0007")
    panel = html.split('data-testid="action-panel"')[1]
    assert "1 downstream consumer(s) affected" in panel  # the explanation's summary ...
    assert (
        '<strong data-testid="impacted-count">1 downstream consumer affected</strong>' in panel
    )  # ... its list
    assert "Executive Dashboard" in panel and 'data-testid="impact-truncated"' not in panel
    assert "The warehouse statement ran past its timeout." in panel
    assert "explain-run" in panel and "requested: deterministic" in panel
    assert "executed: deterministic_rules_v1" in panel
    assert "Raise the statement timeout or split the load." in panel
    assert 'href="https://runbooks.example/p1"' in panel
    assert "/api/aggregate/pipelines/p1/runs?source=aws" in panel  # traceability via the mirror
    assert "telemetry:PIPELINE_RUNS" in panel and "governance:runbooks" in panel  # facts by source


def test_a_truncated_impact_walk_is_flagged_in_the_panel_and_the_list(page, pages_sources):
    answer = {**TRIAGE_ANSWER}
    answer["impact_summary"] = {**answer["impact_summary"], "truncated": True, "truncated_reason": "node_cap"}
    pages_sources["aws"].reply("/api/explain/run/aws-p1-0007", answer)
    incidents = pages_sources["aws"].routes["/api/incidents"].body
    truncated = {**INCIDENT, "impact_truncated": True, "impact_truncated_reason": "node_cap"}
    pages_sources["aws"].reply("/api/incidents", {**incidents, "items": [truncated, SLA_INCIDENT]})
    html = page("?view=incidents&incident=run:aws-p1-0007")
    panel = html.split('data-testid="action-panel"')[1]
    assert '<span class="badge warn" data-testid="impact-truncated"' in panel
    assert "walk stopped at 2,000 nodes" in panel
    assert "1 impacted consumers (lineage walk truncated: node_cap; there may be more)" in panel  # copy text
    table = html.split('data-testid="incidents-table"')[1].split("</table>")[0]
    assert '1<abbr title="At least: the lineage walk stopped at its node cap' in table


def test_the_copy_texts_are_rendered_for_the_clipboard(page):
    html = page("?view=incidents&incident=run:aws-p1-0007")
    markdown = re.search(r'id="incident-markdown"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert markdown.startswith("### Incident run:aws-p1-0007 — orders\\_ingest (p1, aws)")  # escaped
    assert "**Likely cause:** The warehouse statement ran past its timeout." in markdown
    assert "1. Check the warehouse query history." in markdown
    assert "[orders\\_ingest runbook](https://runbooks.example/p1)" in markdown
    text = re.search(r'id="incident-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "Likely cause: The warehouse statement ran past its timeout." in text and "**" not in text


def test_explain_run_failing_falls_back_to_the_triage_query(page, pages_sources):
    pages_sources["aws"].reply(
        "/api/explain/run/aws-p1-0007", {"error": {"code": "x", "message": "boom"}}, 500
    )
    html = page("?view=incidents&incident=run:aws-p1-0007")
    assert "answered by the triage query from the incident&#x27;s error details" in html
    (call,) = pages_sources["aws"].calls("/api/triage/query")
    assert call.json()["error_code"] == "SF_TIMEOUT" and call.json()["run_id"] == "aws-p1-0007"


def test_an_sla_breach_is_triaged_by_pipeline(page, pages_sources):
    html = page("?view=incidents&incident=sla:p2")
    assert 'data-testid="action-panel"' in html and "No run to explain" in html
    assert pages_sources["aws"].calls("/api/triage/query")[0].json()["pipeline_id"] == "p2"


def test_triage_catalog_and_a_query_from_the_url(page, pages_sources):
    html = page("?view=triage&tri_status=missing&tri_run=1&tri_q_pipeline_id=p1&tri_q_source=aws")
    table = html.split('data-testid="runbooks-table"')[1].split("</table>")[0]
    assert "ore_<wbr>clean" in table and "orders_<wbr>ingest" not in table  # only missing runbooks
    assert 'data-testid="action-panel"' in html
    assert pages_sources["aws"].calls("/api/triage/query")[0].json() == {
        "source": "aws", "pipeline_id": "p1", "mode": "deterministic", "context_days": 7
    }  # fmt: skip


def test_costs_draw_the_trend_and_investigate(page):
    html = page("?view=costs&cost_investigate=p2&cost_inv_source=aws")
    chart = html.split('data-testid="trend-chart"')[1].split("</figure>")[0]
    assert chart.count('<circle class="dot"') == 7 and 'data-series="aws"' in chart
    assert "2026-11-20: A$190.00" in chart  # 120 (aws) + 70 (azure), summed per day
    assert 'data-testid="investigation"' in html and "9×" in html
    assert "tri_q_pipeline_id=p2" in html  # triage prefill


def test_cost_filters_reach_the_anomalies_route(page, pages_sources):
    page("?view=costs&cost_mode=all&cost_min_ratio=2.5&cost_team=ore")
    call = pages_sources["aws"].calls("/api/costs/anomalies")[0]
    assert call.query["anomaly_only"] == ["false"] and call.query["min_ratio"] == ["2.5"]
    assert call.query["team"] == ["ore"]


def test_governance_kpis_drilldown_and_scorecards(page):
    html = page("?view=governance&gov_source=both&gov_days=7&gov_drilldown=sla_pressure")
    assert 'data-kpi="sla_pressure"' in html and "aws 1, azure 1" in html
    table = html.split('data-testid="drilldown-table"')[1].split("</table>")[0]
    assert "Open in runbooks" in table and "tri_search=p1" in table
    # the team opens in Policy with the governance window as the audit window (policy_days)
    assert "view=policy&amp;policy_source=aws&amp;policy_days=7&amp;policy_team=sales" in html


def test_policy_page_is_read_only_for_a_viewer(page):
    html = page("?view=policy&policy_mismatch=true")
    assert 'data-testid="policy-readonly"' in html and "assign-form" not in html
    assert "csrfmiddlewaretoken" not in html.split("<main")[1]
    assert "gina" in html.split('data-testid="audit-table"')[1]


def test_policy_shows_the_exception_register(page, pages_sources):
    html = page("?view=policy&policy_exception=proposed")
    register = html.split('data-testid="exceptions-table"')[1].split("</table>")[0]
    assert "sales" in register and "Quarter-end load" in register and "gina" in register
    assert "2026-12-31 23:59" in register and "in 41.5 days" in register
    assert pages_sources["aws"].calls("/api/policies/exceptions/register")[0].query["status"] == ["proposed"]


def test_policy_filters_go_to_the_sources_and_the_table(page, pages_sources):
    html = page("?view=policy&policy_profile=relaxed&policy_audit_action=assign&policy_audit_target=sales")
    table = html.split('data-testid="effective-table"')[1].split("</table>")[0]
    assert "orders_<wbr>ingest" in table and "ore_<wbr>clean" not in table  # names lead, wrapping at `_`
    call = pages_sources["aws"].calls("/api/policies/history")[0]
    assert call.query["action"] == ["assign"] and call.query["target_id"] == ["sales"]


def test_a_governance_admin_assigns_through_the_write_route(pages_sources, governance_admin):
    pages_sources["aws"].reply(ASSIGN, {"scope": "team", "target_id": "ore", "profile": "strict"})
    client = Client(enforce_csrf_checks=True)
    client.force_login(governance_admin)
    html = client.get("/?view=policy").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {"action": "assign", "source": "aws", "scope": "team", "target_id": "ore", "profile": "strict",
            "reason": "ore is critical now"}  # fmt: skip
    assert client.post("/?view=policy", form).status_code == 403  # no CSRF token
    response = client.post("/?view=policy", {**form, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "?view=policy"
    (call,) = pages_sources["aws"].calls(ASSIGN)
    assert call.json() == {
        "scope": "team",
        "target_id": "ore",
        "profile": "strict",
        "reason": "ore is critical now",
    }
    assert call.headers["X-Acting-User"] == "gina"
    assert pages_sources["azure"].calls(ASSIGN) == []
    assert "Assigned profile strict for team ore on aws." in client.get("/?view=policy").content.decode()


def test_an_invalid_form_is_shown_again_with_its_errors(pages_sources, governance_admin):
    client = signed_in(governance_admin)
    response = client.post("/?view=policy", {"action": "assign", "source": "aws", "scope": "team"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert pages_sources["aws"].calls(ASSIGN) == []


def test_a_refused_write_says_why(pages_sources, governance_admin):
    refusal = {"error": {"code": "invalid_parameter", "message": "Unknown team 'nope'."}}
    pages_sources["aws"].reply(ASSIGN, refusal, 422)
    client = signed_in(governance_admin)
    form = {"action": "assign", "source": "aws", "scope": "team", "target_id": "nope", "profile": "strict",
            "reason": "x"}  # fmt: skip
    response = client.post("/?view=policy", form)
    assert response.status_code == 400
    assert "The change was not made: aws: Unknown team &#x27;nope&#x27;." in response.content.decode()


def test_a_viewer_cannot_post_a_policy_change(pages_sources, viewer):
    client = signed_in(viewer)
    form = {"action": "assign", "source": "aws", "scope": "team", "target_id": "ore", "profile": "strict",
            "reason": "x"}  # fmt: skip
    response = client.post("/?view=policy", form, follow=True)
    assert response.redirect_chain == [("?view=policy", 302)]
    refusal = "Changing policies needs the governance_admin role; nothing was changed."
    assert refusal in response.content.decode()
    assert pages_sources["aws"].calls(ASSIGN) == []


def test_diagnostics_reconciles_builds_and_exports(page):
    html = page("?view=diagnostics")
    assert 'data-testid="verdict">drift' in html  # sources report a build, this control tier none
    assert "/api/aggregate/ops/diagnostics?source=both&amp;download=1" in html
    assert "abc123" in html


def test_ops_paths_redirect_to_the_view(pages_sources, viewer):
    response = signed_in(viewer).get("/ops/costs/?cost_days=14")
    assert response.status_code == 302 and response["Location"] == "/?cost_days=14&view=costs"


def headline(html: str, key: str) -> str:
    """The headline card `key` (an <a> when it links to its rows)."""
    return re.search(rf'<(a|div) class="card"[^>]*data-kpi="{key}".*?</\1>', html, re.S).group(0)


def test_listed_headlines_link_to_their_rows_with_a_definition(page):
    html = page("?view=overview&ov_source=both&ov_team=ore&ov_stale_page=2")
    card = headline(html, "stale_datasets")
    # the whole card is the link; it opens the list's first page, the page's other state kept
    assert card.startswith('<a class="card" href="?view=overview&amp;ov_team=ore#stale-datasets"')
    # its name, read aloud, is what it shows: the label, the number, the definition, and what it does
    assert "freshness SLA" in card and "aria-label" not in card
    assert 'card-value">10</div>' in card and card.endswith(
        '<span class="visually-hidden">List them.</span></a>'
    )
    target = page("?view=overview&ov_team=ore")
    section = target.split('id="stale-datasets"')[1].split("</section>")[0]
    assert '<span class="count">2</span>' in section and section.count("raw.orders") == 2  # one per source
    sla = headline(html, "sla_breaches")  # its own list from page 1; the other list stays where it was
    assert 'href="?view=overview&amp;ov_team=ore&amp;ov_stale_page=2#sla-breaches"' in sla
    # the pipelines headline counts every pipeline: its link clears the list's filters
    assert 'href="?view=overview&amp;ov_stale_page=2#pipelines-title"' in headline(html, "pipelines")
    failed = headline(html, "failures_24h")
    assert 'href="?view=incidents&amp;inc_kind=run_failed#incidents-title"' in failed
    assert headline(html, "running").startswith('<div class="card"')  # no list shows what it counts


def test_a_headline_link_opens_a_list_with_the_headlines_total(page):
    overview = page("?view=overview&ov_source=aws")
    card = headline(overview, "failures_24h")
    assert '<div class="card-value">4</div>' in card  # aws's summary
    target = re.search(r'href="\?([^"#]+)', card).group(1).replace("&amp;", "&")
    listed = page("?" + target)
    assert "<h1>Incidents</h1>" in listed
    # the stub's incident list is what the source would list: its total is the page's count
    assert re.search(r'<span class="count">2 incidents in \d+ pipelines?, last 24 h</span>', listed)


def test_top_impacted_assets_name_their_failing_pipelines(page, pages_sources):
    html = page("?view=overview")
    cell = html.split('data-testid="failing-pipelines">')[1].split("</td>")[0]
    assert "orders_<wbr>ingest" in cell and '<code class="id sub">p1</code>' in cell  # name first, id second
    assert cell.index("orders_") < cell.index(">p1<")
    # the names of the pipelines shown, asked of each source once (not the whole failing catalogue)
    asked = [c.query for c in pages_sources["aws"].calls("/api/pipelines") if c.query.get("pipeline_ids")]
    assert ["p1"] in [q["pipeline_ids"] for q in asked]
    assert not [c for c in pages_sources["aws"].calls("/api/pipeline-keys") if c.query.get("status")]


def test_incident_filters_apply_at_the_sources_before_grouping(page, pages_sources):
    page("?view=incidents&inc_source=aws&inc_kind=sla_breach&pipeline_id=p1&inc_page=2")
    (call,) = pages_sources["aws"].calls("/api/incidents")
    assert call.query["kind"] == ["sla_breach"] and call.query["pipeline_id"] == ["p1"]
    assert (call.query["offset"], call.query["limit"]) == (["0"], ["500"])  # the queue groups them all


def test_a_javascript_runbook_in_the_warehouse_is_shown_as_an_invalid_link(page, pages_sources):
    from .pages_estate import PIPELINES

    hostile = {**PIPELINES[0], "pipeline_name": "orders_ingest", "namespace": None,
               "runbook_url": "javascript:alert(document.cookie)"}  # fmt: skip
    pages_sources["aws"].reply("/api/pipelines/p1", hostile)
    pages_sources["aws"].reply("/api/pipelines/p1/sla", {"status": "ok"})
    pages_sources["aws"].reply("/api/pipelines/p1/runs", {"items": [], "total": 0})
    html = page("?view=overview&ov_source=aws&pipeline_id=p1")
    assert "javascript:" not in html.split("<main")[1] and "invalid link" in html


OPENLINEAGE_INCIDENT = {
    **INCIDENT,
    "incident_id": "run:ol-run-1",
    "run_id": "ol-run-1",
    "pipeline_id": "ol_95ff71b9f3e87faa",
    "pipeline_name": "finance_daily.load_general_ledger_entries_with_currency_revaluation",
    "team": None,
    "domain": None,
    "criticality": None,
    "error_code": "002003",
    "error_message": "002003 (42S02): SQL compilation error: Object 'GL.STAGE' does not exist",
}


def test_an_openlineage_incident_reads_name_first_with_dashes_and_its_code_once(page, pages_sources):
    incidents = pages_sources["aws"].routes["/api/incidents"].body
    pages_sources["aws"].reply("/api/incidents", {**incidents, "items": [OPENLINEAGE_INCIDENT]})
    html = page("?view=incidents&inc_source=aws")
    row = html.split('data-testid="queue-group"')[1].split("</tbody>")[0].split(">", 1)[1]
    assert "None" not in row and "— / —" in row  # team and domain unknown: a dash
    name = row.index("finance_<wbr>daily.<wbr>load_<wbr>general_<wbr>ledger")  # wraps at its separators
    assert name < row.index("ol_95ff71b9f3e87faa")  # the name leads, the opaque id is secondary
    assert row.count("002003") == 1 and "<code>002003</code>" in row and "(42S02): SQL compilation" in row


def test_overview_cost_cards_say_which_days_they_add_up(page):
    html = page("?view=overview")
    costs = html.split('id="costs-title"')[1].split("</section>")[0]
    assert "Today so far (UTC)" in costs and "Since 00:00 UTC: a part day." in costs
    assert "Last complete day (UTC)" in costs and "2026-11-20" in costs  # the stub trend's last day
    assert "A$190.00" in costs  # that day, both sources
    assert "Daily average, last 7 days" in costs and "today&#x27;s part day included" in costs
    assert "last 24 h" not in costs and "24 h<" not in costs


def test_costs_page_labels_today_and_the_last_complete_day(page):
    html = page("?view=costs")
    cards = html.split('<div class="cards">')[1].split("</div>\n</div>")[0]
    assert "Today so far (UTC)" in cards and "Last complete day (UTC)" in cards
    chart = html.split('data-testid="trend-chart"')[1].split("</figure>")[0]
    assert "Daily cost (A$)" in chart and ">$" not in chart  # the axis says A$ like the rest of the page


def test_governance_scorecards_show_a_dash_for_what_a_source_left_out(page, pages_sources):
    card = {"team": "sales", "score": 61.5, "grade": "C", "pipelines": 1, "sla_pressure_trend": None}
    body = {"items": [card], "total": 1, "offset": 0, "limit": 50}
    pages_sources["aws"].reply("/api/scorecards/teams", body)
    html = page("?view=governance&gov_source=aws")
    table = html.split('data-testid="scorecards-table"')[1].split("</table>")[0].split("<tbody>")[1]
    assert "None" not in table and "<td></td>" not in table and '<td class="num"></td>' not in table


def effective_rows(html: str) -> str:
    return html.split('data-testid="effective-table"')[1].split("</table>")[0].split("<tbody>")[1]


def test_policy_mismatch_filters_with_the_documented_values_and_the_old_ones(page, pages_sources):
    calls = lambda: pages_sources["aws"].calls("/api/policies/effective")  # noqa: E731
    page("?view=policy&policy_mismatch=mismatch")
    assert calls()[-1].query["mismatch"] == ["true"]
    page("?view=policy&policy_mismatch=all")
    assert "mismatch" not in calls()[-1].query
    html = page("?view=policy&policy_mismatch=true")  # an old link: the same filter, no notice
    assert calls()[-1].query["mismatch"] == ["true"] and "Ignored" not in html
    assert '<option value="mismatch" selected>mismatch only</option>' in html
    page("?view=policy&policy_mismatch=false")
    assert calls()[-1].query["mismatch"] == ["false"]


def test_policy_exception_shows_only_pipelines_with_an_exception(page, pages_sources):
    body = pages_sources["aws"].routes["/api/policies/effective"].body
    waived = {**body["items"][1], "pipeline_id": "p7", "pipeline_name": "waived_load",
              "exception_status": "approved", "exception_state": "approved", "mismatch": True}  # fmt: skip
    pages_sources["aws"].reply("/api/policies/effective", {**body, "items": [*body["items"], waived]})
    everything = effective_rows(page("?view=policy&policy_source=aws&policy_exception=all"))
    assert "orders_<wbr>ingest" in everything and "waived_<wbr>load" in everything
    html = page("?view=policy&policy_source=aws&policy_exception=exception")
    rows = effective_rows(html)
    assert "waived_<wbr>load" in rows and "orders_<wbr>ingest" not in rows and "ore_<wbr>clean" not in rows
    assert '<span class="count">1 pipelines</span>' in html


def test_the_old_exception_status_link_filters_the_register(page, pages_sources):
    page("?view=policy&policy_register=approved")
    assert pages_sources["aws"].calls("/api/policies/exceptions/register")[-1].query["status"] == ["approved"]
    html = page("?view=policy&policy_exception=expired")  # before policy_exception meant all|exception
    assert pages_sources["aws"].calls("/api/policies/exceptions/register")[-1].query["status"] == ["expired"]
    assert "Ignored" not in html and "<option selected>expired</option>" in html


def test_policy_days_is_the_audit_history_window(page, pages_sources, time_machine):
    time_machine.move_to("2026-11-20T12:00:00Z", tick=False)
    html = page("?view=policy&policy_days=7")
    (call,) = pages_sources["aws"].calls("/api/policies/history")
    assert call.query["since"] == ["2026-11-13T12:00:00+00:00"]
    assert "newest first, last 7 days" in html and '<option value="7" selected>last 7 days</option>' in html
    page("?view=policy")
    assert "since" not in pages_sources["aws"].calls("/api/policies/history")[-1].query  # all of it


def test_policy_kpis_link_to_the_rows_they_count_and_standards_coverage_adds_up(page, pages_sources):
    for name, failing in (("aws", 1), ("azure", 2)):
        summary = {"pipelines": 5, "passing": 5 - failing - 1, "failing": failing, "waived": 1}
        pages_sources[name].reply("/api/dq/effective", {"items": [], "total": failing, "summary": summary})
    html = page("?view=policy&policy_team=sales")
    coverage = html.split('data-kpi="standards_coverage"')[1].split("card-def")[0]
    assert "70.0%" in coverage and "7 of 10 meet their DQ standards (2 waived)" in coverage
    link = re.search(r'href="([^"]+)" data-testid="standards-failing">3 failing', coverage).group(1)
    assert link == "?view=governance&amp;gov_drilldown=dq_mismatches&amp;gov_team=sales"
    assert pages_sources["aws"].calls("/api/dq/effective")[-1].query["team"] == ["sales"]
    card = re.search(r'<a class="card" href="([^"]+)" data-kpi="mismatches"', html).group(1)
    assert card == "?view=policy&amp;policy_mismatch=mismatch&amp;policy_team=sales#effective-title"
    assert '<div class="card-value">2</div>' in html.split('data-kpi="mismatches"')[1][:200]  # 1 per source


SCORECARD = {"team": "sales", "score": 61.5, "grade": "C", "pipelines": 4, "dq_failures": 2,
             "dq_pass_ratio": 0.5, "policy_mismatches": 3, "unmanaged_exceptions": 1,
             "policy_aligned_ratio": 0.75, "runbook_coverage": 1.0, "ownership_ratio": 1.0,
             "anomaly_count": 0, "breach_ratio": 0.1}  # fmt: skip


def test_scorecards_show_the_counts_each_linked_to_its_rows(page, pages_sources):
    pages_sources["aws"].reply("/api/scorecards/teams", {"items": [SCORECARD], "total": 1})
    html = page("?view=governance&gov_source=aws&gov_days=14")
    head = html.split('data-testid="scorecards-table"')[1].split("</thead>")[0]
    assert head.index("DQ failures") < head.index("Policy mismatches") < head.index("Unmanaged exceptions")
    row = html.split('data-team="sales"')[1].split("</tr>")[0]

    def cell(key: str) -> tuple[str, str]:
        found = re.search(rf'data-col="{key}"><a href="([^"]+)" aria-label="(\d+) ', row)
        return found.group(1).replace("&amp;", "&"), found.group(2)

    assert cell("dq_failures") == (
        "?view=governance&gov_source=aws&gov_days=14&gov_drilldown=dq_mismatches&gov_team=sales#drill-title",
        "2",
    )
    policy = "?view=policy&policy_source=aws&policy_days=14"
    assert cell("policy_mismatches") == (
        f"{policy}&policy_mismatch=mismatch&policy_team=sales#effective-title",
        "3",
    )
    assert cell("unmanaged_exceptions") == (
        f"{policy}&policy_exception_state=unmanaged&policy_team=sales#effective-title",
        "1",
    )
    assert "50% pass" in row and "75% aligned" in row  # the ratios stay, beside the counts


def test_open_in_runbooks_prefills_domain_and_status(page):
    html = page("?view=governance&gov_source=aws&gov_drilldown=critical_runbook_gaps")
    table = html.split('data-testid="drilldown-table"')[1].split("</table>")[0]
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)">Open in runbooks', table)]
    assert "?view=triage&tri_source=aws&tri_search=p2&tri_team=ore&tri_domain=processing" \
           "&tri_criticality=high&tri_status=missing" in links  # fmt: skip


def test_the_incident_queue_groups_folds_and_shows_its_filters(page, pages_sources):
    ts = "2026-11-20T11:00:00Z"
    numbers = {"window_days": 7, "runs_in_window": 50, "breached_runs": 7, "breach_ratio": 0.14,
               "max_breach_ratio": 0.05, "freshness_lag_minutes": 30.0, "freshness_sla_minutes": 120,
               "max_duration_minutes": 60, "thresholds_source": "pipeline",
               "last_breached_run_ts": ts}  # fmt: skip
    caused = {**SLA_INCIDENT, "incident_id": "sla:p1", "pipeline_id": "p1", "detected_ts": ts,
              "reasons": ["breach_ratio_exceeded"], "sla": numbers, "severity": "sev1"}  # fmt: skip
    earlier = {**INCIDENT, "incident_id": "run:aws-p1-0006", "run_id": "aws-p1-0006",
               "detected_ts": "2026-11-20T08:00:00Z", "ended_ts": "2026-11-20T08:00:00Z"}  # fmt: skip
    items = [{**INCIDENT, "ended_ts": ts}, caused, SLA_INCIDENT, earlier]
    body = {"items": items, "total": 4, "offset": 0, "limit": 500, "hours": 24,
            "by_severity": {"sev1": 3, "sev2": 0, "sev3": 1, "sev4": 0}}  # fmt: skip
    pages_sources["aws"].reply("/api/incidents", body)
    html = page("?view=incidents&inc_source=aws&inc_team=sales")
    groups = html.split('data-testid="queue-group"')[1:]
    first, second = groups
    assert first.startswith(' data-pipeline="p1"') and second.startswith(' data-pipeline="p2"')  # sev1 first
    assert 'aria-label="Show the 2 incidents of p1"' in first  # 3 incidents, the breach folded into its run
    assert "2026-11-20 08:00" in first and "failed run + SLA breach" in first
    assert "SLA: 14.0% of runs breached (7 of 50 in 7 days), 5% allowed" in first
    chips = html.split('data-testid="filter-chips"')[1].split("</p>")[0]
    assert "Team: <strong>sales</strong>" in chips and "4 incidents match" in chips
    assert 'href="?view=incidents&amp;inc_source=aws"' in chips  # removing the team filter


def test_the_action_panel_draws_the_incident_lineage_with_its_text(page, pages_sources):
    impact = {"pipeline_id": "p1", "nodes": [
        {"id": "p1", "kind": "pipeline", "name": "orders_ingest", "criticality": "critical", "depth": 0},
        {"id": "raw.orders", "kind": "table", "name": "raw.orders", "criticality": "high", "depth": 1},
        {"id": "dash.exec", "kind": "dashboard", "name": "Executive Dashboard", "criticality": "critical",
         "depth": 2}],
        "edges": [{"src": "p1", "src_kind": "pipeline", "dst": "raw.orders", "dst_kind": "dataset"},
                  {"src": "raw.orders", "src_kind": "dataset", "dst": "dash.exec", "dst_kind": "dataset"}],
        "truncated": False, "truncated_reason": None}  # fmt: skip
    pages_sources["aws"].reply("/api/pipelines/p1/impact", impact)
    html = page("?view=incidents&inc_source=aws&incident=run:aws-p1-0007")
    panel = html.split('data-testid="action-panel"')[1]
    figure = panel.split('data-testid="picture-lineage-figure"')[1].split("</figure>")[0]
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg" class="picture" data-testid="picture-lineage" role="img"'
        in figure
    )
    said = ("Downstream lineage of p1: 3 nodes over 2 levels, 2 edges; 1 consumer assets: "
            "Executive Dashboard (critical). Failing: p1.")  # fmt: skip
    assert f"<desc>{said}</desc>" in figure and f'data-testid="picture-lineage-text">{said}</p>' in figure
    assert ">Executive Dashboard</text>" in figure and "pipeline · critical · FAILING" in figure


def test_the_overview_counts_incidents_per_day_for_its_team(page, pages_sources):
    html = page("?view=overview&ov_source=aws&ov_team=sales")
    (call,) = pages_sources["aws"].calls("/api/incidents/daily")  # one answer, counted by the source
    assert (call.query["team"], call.query["hours"]) == (["sales"], ["168"])
    assert not [c for c in pages_sources["aws"].calls("/api/incidents") if c.query.get("hours") == ["168"]]
    figure = html.split('data-testid="picture-per-day-figure"')[1].split("</figure>")[0]
    assert "<figcaption>Incidents per day by severity, last 7 days (UTC), team sales</figcaption>" in figure
    assert "<desc>Incidents per day by severity, last 7 days (UTC): 2026-11-14: 0; " in figure
    assert "2026-11-19: 0; 2026-11-20: 2 (1 sev1, 1 sev3).</desc>" in figure


def test_the_overview_adds_up_incidents_per_day_over_sources_and_says_what_is_not_in_a_bar(
    page, pages_sources
):
    figure = page("?view=overview").split('data-testid="picture-per-day-figure"')[1].split("</figure>")[0]
    # azure's ongoing breach detected before the window's first day
    assert (
        "2026-11-20: 2 (1 sev1, 1 sev3). 1 incidents detected before the first day are not in a bar."
        in figure
    )
    pages_sources["azure"].stop()
    html = page("?view=overview")
    figure = html.split('data-testid="picture-per-day-figure"')[1].split("</figure>")[0]
    assert "2026-11-20: 2 (1 sev1, 1 sev3).</desc>" in figure  # aws's alone, the page says azure failed
    assert "Counted from the newest incidents" not in html


def test_a_long_queue_reads_each_sources_pages_once(page, pages_sources):
    def listing(source, n):
        rows = [{**INCIDENT, "incident_id": f"run:{source}-{i}", "run_id": f"{source}-{i}",
                 "pipeline_id": f"p{i % 40}", "detected_ts": f"2026-12-04T{i % 24:02d}:{i % 60:02d}:00Z"}
                for i in range(n)]  # fmt: skip

        def handler(req):
            offset, limit = int(req.query["offset"][0]), int(req.query["limit"][0])
            return 200, {"items": rows[offset : offset + limit], "total": n, "offset": offset, "limit": limit,
                         "by_severity": {"sev3": n}}  # fmt: skip

        return handler

    pages_sources["aws"].reply("/api/incidents", handler=listing("aws", 1300))
    pages_sources["azure"].reply("/api/incidents", handler=listing("azure", 400))
    html = page("?view=incidents")
    assert re.search(r'<span class="count">1,?700 incidents in \d+ pipelines?', html)
    asked = [
        (c.query["offset"][0], c.query["limit"][0]) for c in pages_sources["aws"].calls("/api/incidents")
    ]
    assert sorted(set(asked)) == [("0", "500"), ("1000", "500"), ("500", "500")]
    assert len(asked) <= 4  # the first answer's page, then the window's (not 0..n again at every page)
