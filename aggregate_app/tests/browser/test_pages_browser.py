"""The ops pages in a real browser against live sources: every view renders with data (and a
screenshot of it lands in test-output/screenshots/), deep links restore state, a dead source
raises the banner, copy as Markdown works, and only a governance admin changes policies — with
the audit history naming them."""

import re

import pytest
from playwright.sync_api import expect

from testsupport.browser_estate import USERS

from .conftest import screenshot

pytestmark = pytest.mark.slow

VIEWS = {
    "overview": ("/?view=overview", '[data-testid="pipelines-table"] tbody tr >> nth=0', "Pipelines"),
    "incidents": (
        "/?view=incidents&inc_hours=168",
        '[data-testid="incidents-table"] tbody tr >> nth=0',
        "Incidents",
    ),
    "triage": ("/?view=triage", '[data-testid="runbooks-table"] tbody tr >> nth=0', "Runbook catalog"),
    "costs": ("/?view=costs&cost_mode=all", '[data-testid="trend-chart"] svg', "Daily cost trend"),
    "governance": (
        "/?view=governance&gov_source=both&gov_days=7&gov_drilldown=sla_pressure",
        '[data-testid="scorecards-table"] tbody tr >> nth=0',
        "Team scorecards",
    ),
    "policy": ("/?view=policy", '[data-testid="effective-table"] tbody tr >> nth=0', "Audit history"),
    "diagnostics": ("/?view=diagnostics", '[data-testid="builds"]', "Build fingerprints"),
}


def no_problems(page) -> None:
    expect(page.locator('[data-testid="source-banner"]')).to_have_count(0)
    expect(page.locator(".state-error")).to_have_count(0)


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_renders_with_data(open_page, view):
    path, row, heading = VIEWS[view]
    page = open_page(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(view.capitalize())
    expect(page.locator(row)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile(heading)).first).to_be_visible()
    expect(page.locator('nav.views a[aria-current="page"]')).to_have_text(view.capitalize())
    no_problems(page)
    assert "state-empty" not in (page.locator(row).get_attribute("class") or "")
    rendered = re.compile(r"^Rendered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC in \d+ ms$")
    expect(page.get_by_test_id("rendered")).to_have_text(rendered)  # the footer's values, filled in
    screenshot(page, view)


def test_the_cost_chart_is_drawn_from_the_data(open_page):
    page = open_page("/?view=costs&cost_days=14")
    dots = page.locator('[data-testid="trend-chart"] circle.dot')
    expect(dots).to_have_count(14 * 1)  # one point per day of the total series
    page.get_by_text("Chart data").click()
    rows = page.locator('[data-testid="trend-chart"] details tbody tr')
    expect(rows).to_have_count(14)
    first_label = dots.first.locator("title").text_content()
    first_date = rows.first.locator("td").first.text_content()
    assert first_label.startswith(first_date + ": A$")


def test_a_deep_link_restores_the_governance_view(open_page):
    page = open_page("/?view=governance&gov_source=aws&gov_days=14&gov_drilldown=critical_runbook_gaps")
    expect(page.locator('.segmented a[aria-current="true"]')).to_have_text("aws")
    expect(page.locator('select[name="gov_days"]')).to_have_value("14")
    expect(page.locator('a.card[aria-current="true"]')).to_have_attribute("data-kpi", "critical_runbook_gaps")
    expect(page.locator("#drill-title")).to_contain_text("Critical runbook gaps")
    # a filter change is a new URL, and reloading it restores the same state
    page.locator('select[name="gov_days"]').select_option("30")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"gov_days=30"))
    assert "gov_drilldown=critical_runbook_gaps" in page.url and "gov_source=aws" in page.url
    page.reload()
    expect(page.locator('select[name="gov_days"]')).to_have_value("30")
    screenshot(page, "governance-deep-link")


def test_a_deep_link_restores_overview_sort_and_filters(open_page):
    page = open_page("/?view=overview&ov_source=azure&ov_sort=runs_7d&ov_dir=desc&ov_criticality=high")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Runs 7d")
    expect(page.locator('select[name="ov_criticality"]')).to_have_value("high")
    badges = page.locator('[data-testid="pipelines-table"] tbody td:nth-child(5) .badge')
    assert set(badges.all_text_contents()) == {"high"}
    runs = [
        int(t.replace(",", ""))
        for t in page.locator('[data-testid="pipelines-table"] tbody td:nth-child(6)').all_text_contents()
    ]
    assert runs == sorted(runs, reverse=True) and runs


def test_a_stopped_source_shows_the_banner(open_page, browser_estate):
    page = open_page("/?view=overview", base=browser_estate.degraded.url)
    banner = page.locator('[data-testid="source-banner"]')
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("azure")
    expect(banner).to_contain_text(re.compile(r"azure (not reachable|paused after repeated failures)"))
    expect(banner).to_contain_text("from aws only")
    expect(page.locator('[data-testid="pipelines-table"] tbody tr').first).to_be_visible()  # aws still served
    capabilities = page.locator('[data-testid="capability-banner"]')
    capabilities.locator("summary").click()
    expect(capabilities.locator("tbody tr").first).to_contain_text("azure")
    screenshot(page, "overview-source-down")
    incidents = open_page("/?view=incidents", base=browser_estate.degraded.url)
    expect(incidents.locator('[data-testid="source-banner"]')).to_contain_text("azure")


def first_incident(open_page, **options):
    page = open_page("/?view=incidents&inc_hours=168&inc_kind=run_failed", **options)
    page.locator('[data-testid="incidents-table"] tbody tr').first.locator("a").first.click()
    expect(page.locator('[data-testid="action-panel"]')).to_be_visible()
    return page


def test_copy_as_markdown_puts_the_action_summary_on_the_clipboard(open_page, browser_estate):
    page = first_incident(open_page, permissions=["clipboard-read", "clipboard-write"])
    incident = re.search(r"incident=([^&]+)", page.url).group(1).replace("%3A", ":")
    page.get_by_role("button", name="Copy as Markdown").click()
    expect(page.locator("#incident-status")).to_have_text("Action summary copied as Markdown.")
    copied = page.evaluate("navigator.clipboard.readText()")
    lines = [re.sub(r"\\(.)", r"\1", line) for line in copied.splitlines()]  # as Markdown renders it
    assert lines[0].startswith(f"### Incident {incident} — ")
    likely = page.get_by_test_id("likely-cause").text_content().strip()
    assert f"**Likely cause:** {likely}" in lines
    assert "**Next actions**" in lines and any(re.match(r"1\. \S", line) for line in lines)
    assert any(
        line.startswith("**Mode:** `deterministic_rules_v1` (requested `deterministic`)") for line in lines
    )
    page.get_by_role("button", name="Copy action summary").click()
    plain = page.evaluate("navigator.clipboard.readText()")
    assert plain.startswith(f"Incident {incident} — ") and f"Likely cause: {likely}" in plain
    screenshot(page, "incidents-action-panel")
    screenshot(page, "incidents-action-panel-only", page.get_by_test_id("action-panel"))


def test_without_a_clipboard_the_text_is_shown_to_copy_by_hand(open_page):
    page = first_incident(open_page)
    refuse = "{writeText: () => Promise.reject(new Error('denied'))}"
    page.evaluate(f"Object.defineProperty(navigator, 'clipboard', {{value: {refuse}}})")
    page.get_by_role("button", name="Copy as Markdown").click()
    fallback = page.get_by_test_id("copy-fallback")
    expect(fallback).to_be_visible()
    assert fallback.input_value().startswith("### Incident run:")
    assert fallback.input_value() == page.locator("#incident-markdown").input_value()
    expect(page.locator("#incident-status")).to_contain_text("press Ctrl+C")


def test_a_governance_admin_assigns_a_profile_and_sees_it_audited(open_page):
    page = open_page("/?view=policy&policy_source=aws", role="admin")
    team_cell = page.locator('[data-testid="effective-table"] tbody tr').first.locator("td").nth(1)
    team_name = team_cell.inner_text().split("\n")[0].strip()
    assert team_name
    form = page.get_by_test_id("assign-form")
    form.get_by_label("Source").select_option("aws")
    form.get_by_label("Scope").select_option("team")
    form.get_by_label("Target").fill(team_name)
    form.get_by_label("Profile").select_option("strict")
    form.get_by_label("Reason").fill("Browser test: tighten the team's SLA")
    form.get_by_role("button", name="Assign profile").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Assigned profile strict for team {team_name} on aws.")
    first = page.locator('[data-testid="audit-table"] tbody tr').first
    expect(first.get_by_test_id("changed-by")).to_have_text(USERS["admin"][0])
    expect(first).to_contain_text(team_name)
    expect(first).to_contain_text("Browser test: tighten the team's SLA")
    screenshot(page, "policy-after-assign")
    screenshot(page, "policy-audit-table", page.locator("section", has=page.get_by_test_id("audit-table")))
    # the assignment is live in the effective table, filtered by the team through the URL
    page.goto(page.url.split("?")[0] + f"?view=policy&policy_source=aws&policy_team={team_name}")
    expect(page.locator('[data-testid="effective-table"] tbody tr').first).to_contain_text("strict")


def test_a_viewer_gets_no_policy_form(open_page):
    page = open_page("/?view=policy")
    expect(page.get_by_test_id("policy-readonly")).to_be_visible()
    expect(page.get_by_test_id("assign-form")).to_have_count(0)
    expect(page.locator('main form[method="post"]')).to_have_count(0)
    screenshot(page, "policy-viewer")


def shown_number(locator) -> int:
    return int(re.search(r"[\d,]+", locator.inner_text()).group(0).replace(",", ""))


@pytest.mark.parametrize(
    "kpi, heading",
    [
        ("stale_datasets", "#stale-datasets"),
        ("sla_breaches", "#sla-breaches"),
        ("failures_24h", "#incidents-title"),
    ],
)
def test_a_headline_card_opens_the_list_it_counts(open_page, kpi, heading):
    page = open_page("/?view=overview")
    screenshot(page, "overview-headlines", page.locator("section", has=page.locator("#headlines-title")))
    card = page.locator(f'a.card[data-kpi="{kpi}"]')
    value = shown_number(card.locator(".card-value"))
    card.click()
    page.wait_for_url(re.compile(re.escape(heading) + "$"))
    expect(page.locator(f"{heading} .count")).to_be_visible()
    assert shown_number(page.locator(f"{heading} .count")) == value
    if kpi == "failures_24h":
        expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
        screenshot(page, "incidents-from-headline")
    else:
        screenshot(page, f"overview-headline-{kpi}")


def test_top_impacted_assets_lead_with_pipeline_names(open_page):
    page = open_page("/?view=overview")
    cell = page.get_by_test_id("failing-pipelines").first
    link = cell.locator("a").first
    assert link.inner_text() != cell.locator("code.id").first.inner_text()  # a name, its id beside it
    screenshot(page, "overview-top-assets", page.locator("section", has=page.locator("#assets-title")))


def test_a_scorecard_count_opens_the_rows_it_counts(open_page):
    page = open_page("/?view=governance&gov_source=both&gov_days=7")
    table = page.get_by_test_id("scorecards-table")
    for column in ("DQ failures", "Policy mismatches", "Unmanaged exceptions"):
        expect(table.get_by_role("columnheader", name=column)).to_be_visible()
    screenshot(page, "governance-scorecards", page.locator("section", has=table))
    cell = table.locator('td[data-col="dq_failures"] a').first
    failures = shown_number(cell)
    cell.click()
    page.wait_for_url(re.compile(r"gov_drilldown=dq_mismatches.*#drill-title$"))
    assert shown_number(page.locator("#drill-title .count")) == failures
    expect(page.locator('[data-testid="drilldown-table"] tbody tr')).to_have_count(min(failures, 25))
    link = page.get_by_role("link", name="Open in runbooks").first
    assert "tri_domain=" in link.get_attribute("href") or "tri_status=" in link.get_attribute("href")


def test_the_policy_view_filters_by_its_documented_parameters(open_page):
    page = open_page("/?view=policy&policy_mismatch=mismatch&policy_exception=all&policy_days=7")
    expect(page.locator('select[name="policy_mismatch"]')).to_have_value("mismatch")
    expect(page.locator('select[name="policy_days"]')).to_have_value("7")
    mismatches = shown_number(page.locator('[data-kpi="mismatches"] .card-value'))
    rows = page.locator('[data-testid="effective-table"] tbody tr')
    if mismatches:
        expect(rows.first.locator(".badge", has_text="mismatch")).to_be_visible()
    coverage = page.locator('[data-kpi="standards_coverage"]')
    expect(coverage).to_contain_text(re.compile(r"\d+(\.\d)?%"))
    expect(coverage).to_contain_text("meet their DQ standards")
    screenshot(page, "policy-filtered")
    page.locator('select[name="policy_exception"]').select_option("exception")
    page.get_by_role("button", name="Apply").first.click()
    page.wait_for_url(re.compile(r"policy_exception=exception"))
    expect(page.locator('select[name="policy_exception"]')).to_have_value("exception")


def test_the_action_panel_groups_traceability_and_links_to_pages(open_page):
    page = first_incident(open_page)
    trace = page.get_by_test_id("traceability")
    kinds = trace.locator(".trace-group").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["telemetry", "runbook", "impact", "cost"]
    telemetry = trace.locator('[data-kind="telemetry"]')
    telemetry.locator("summary").click()  # the facts behind the links
    expect(telemetry.locator("tbody tr").first).to_contain_text("T1")
    screenshot(page, "incidents-traceability", trace)
    runs = telemetry.locator(".trace-links a").first
    assert runs.get_attribute("href").startswith("?view=overview")
    json_link = telemetry.locator(".trace-links a", has_text="JSON").first
    assert json_link.get_attribute("href").startswith("/api/aggregate/")
    runs.click()
    expect(page.get_by_test_id("pipeline-focus")).to_be_visible()
