"""The incident queue and the pictures in a real browser against live demo sources: groups with
counts that expand, a row that opens its action panel with the lineage drawn, the pipeline
panel's run history and lineage, incidents per day on the Overview, the governance sparklines —
each picture an SVG with labelled content and its text alternative. Screenshots land in
test-output/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.slow

QUEUE = "/?view=incidents&inc_hours=168"
SEVERITY = {"sev1": 0, "sev2": 1, "sev3": 2, "sev4": 3}


def has_text_alternative(page, testid: str) -> str:
    """The picture's SVG is drawn, labelled, and says in words what it shows; returns those words."""
    svg = page.locator(f'svg[data-testid="{testid}"]').first
    expect(svg).to_be_visible()
    assert svg.get_attribute("role") == "img"
    desc = svg.locator("desc").text_content()
    assert desc and desc in svg.get_attribute("aria-label")
    assert svg.locator("text").count() > 2  # labelled, not bare shapes
    return desc


def test_the_queue_is_grouped_worst_first_and_expands(open_page):
    page = open_page(QUEUE)
    groups = page.get_by_test_id("queue-group")
    expect(groups.first).to_be_visible()
    page.screenshot(path=str(screenshot(page, "incidents-queue-top")))  # the viewport: the top of the queue
    severities = [g.locator("td .badge").first.text_content() for g in groups.all()]
    assert severities == sorted(severities, key=SEVERITY.get)  # worst first
    pipelines = [
        (g.get_attribute("data-pipeline"), g.locator("tr").first.locator("td").last.text_content())
        for g in groups.all()
    ]
    assert len(pipelines) == len(set(pipelines))  # one row per pipeline and source
    total = int(
        re.search(r"([\d,]+) incidents? match", page.get_by_test_id("queue-total").text_content())[1].replace(
            ",", ""
        )
    )
    counts = [
        int(g.get_by_test_id("group-count").text_content().strip(" ▸").replace(",", "")) for g in groups.all()
    ]
    assert sum(counts) <= total and max(counts) > 1  # a failed run and its breach count once
    many = groups.filter(has=page.locator("button.expand")).first
    button = many.locator("button.expand")
    hidden = many.locator("tr.occurrence")
    expect(hidden.first).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(hidden).to_have_count(int(button.text_content().strip(" ▸▾")))
    expect(hidden.first).to_be_visible()
    screenshot(page, "incidents-queue")
    screenshot(page, "incidents-queue-group", many)


def test_filter_chips_show_and_remove_with_exact_totals(open_page):
    page = open_page(QUEUE + "&inc_severity=sev1")
    sev1 = page.locator(".flags .badge", has_text="sev1").text_content()  # "sev1: N" under the other filters
    chips = page.get_by_test_id("filter-chips")
    expect(chips).to_contain_text(f"Severity: sev1 ({sev1.split(': ')[1]})")
    expect(page.get_by_test_id("queue-total")).to_contain_text(f"{sev1.split(': ')[1]} incident")
    chips.get_by_role("link", name="Remove the filter Severity sev1").click()
    expect(page).not_to_have_url(re.compile("inc_severity"))
    expect(page.get_by_test_id("filter-chips")).not_to_contain_text("Severity:")


def test_clicking_a_row_opens_its_action_panel_with_the_lineage(open_page):
    page = open_page(QUEUE + "&inc_kind=run_failed")
    group = page.get_by_test_id("queue-group").first
    pipeline = group.get_attribute("data-pipeline")
    group.locator("td").nth(3).click()  # a plain cell: the row itself opens the panel
    expect(page.get_by_test_id("action-panel")).to_be_visible()
    desc = has_text_alternative(page, "picture-lineage")
    assert desc.startswith(f"Downstream lineage of {pipeline}:") and "Failing: " in desc
    panel_lineage = page.get_by_test_id("action-panel").get_by_test_id("picture-lineage-figure")
    expect(panel_lineage.locator("svg rect[stroke-dasharray]").first).to_be_visible()  # failing marked
    expect(panel_lineage.get_by_test_id("picture-lineage-text")).to_have_text(desc)
    screenshot(page, "incidents-panel-lineage", page.get_by_test_id("action-panel"))


def test_the_pipeline_panel_draws_run_history_and_lineage(open_page):
    page = open_page("/?view=overview&pipeline_id=p2")
    pictures = page.get_by_test_id("pipeline-pictures")
    expect(pictures).to_be_visible()
    history = has_text_alternative(page, "picture-run-history")
    assert history.startswith("Last 30 runs of p2, oldest first:")
    bars = pictures.locator('svg[data-testid="picture-run-history"] rect title')
    expect(bars).to_have_count(30)
    lineage = has_text_alternative(page, "picture-lineage")
    assert lineage.startswith("Downstream lineage of p2:") and "Upstream: " in lineage
    columns = pictures.locator('svg[data-testid="picture-lineage"] text', has_text="1 upstream")
    expect(columns).to_have_count(1)
    screenshot(page, "pipeline-pictures", pictures)


def test_the_overview_shows_incidents_per_day_and_governance_its_trend(open_page):
    page = open_page("/?view=overview")
    per_day = has_text_alternative(page, "picture-per-day")
    assert per_day.startswith("Incidents per day by severity, last 7 days (UTC):")
    days = re.findall(r"\d{4}-\d\d-\d\d: (\d+)", per_day)
    assert len(days) == 7 and sum(map(int, days)) > 0
    screenshot(page, "overview-per-day", page.get_by_test_id("picture-per-day-figure"))
    gov = open_page("/?view=governance")
    trend = gov.get_by_test_id("governance-trend")
    expect(trend.locator("svg polyline").first).to_be_visible()
    words = trend.get_by_test_id("picture-sparkline-text").first.text_content()
    assert re.match(
        r"Breach ratio per day, (aws|azure), \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: latest [\d.]+%", words
    )
    screenshot(gov, "governance-trend", gov.locator("form.filters"))
