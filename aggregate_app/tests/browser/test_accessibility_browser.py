"""Accessibility of the control tier's pages in a real browser: axe-core (testsupport/vendor/axe-core)
finds no serious or critical violation on any ops view, the incidents page with its action panel
open, the Alerts page and one alert, the source-down banners, or the sign-in page; and a keyboard
alone (Tab, Enter, Space, Escape) opens an incident's action panel, reaches its buttons with a
visible focus ring, and reaches an alert's actions."""

import subprocess

import pytest
from playwright.sync_api import expect

from testsupport.browser_estate import ROOT

from .conftest import screenshot

pytestmark = pytest.mark.slow

AXE = ROOT / "testsupport" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
ALERTS_SCRIPT = """
from django.utils import timezone
from alerting_app import actions
from alerting_app.actions import Occurrence
now = timezone.now()
root = actions.record(Occurrence("failed_run", "aws", "p_orders_a11y", now, "p_orders_a11y failed", "r1",
                                 pipeline_id="p_orders_a11y", team="sales", severity="critical"))
actions.record(Occurrence("stale_dataset", "aws", "d_orders_a11y", now, "d_orders_a11y is stale",
                          dataset="d_orders_a11y"), root=root)
print(root.pk)
"""
PAGES = {
    **{
        view: f"/?view={view}"
        for view in ("overview", "triage", "costs", "governance", "policy", "diagnostics")
    },
    "incidents": "/?view=incidents&inc_hours=168",
    "incidents-panel": "/?view=incidents&inc_hours=168&inc_kind=run_failed",
    "alerts": "/ops/alerts/",
    "alert": "/ops/alerts/{alert}/",
}


@pytest.fixture(scope="module")
def alert_id(browser_estate) -> int:
    """An open alert with a member on the control tier, written through alerting's own actions."""
    control = browser_estate.control
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", ALERTS_SCRIPT],
        cwd=ROOT, env=control.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.split()[-1])


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line per element."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {node['target']} {node['failureSummary'].splitlines()[-1]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violation(open_page, alert_id, name):
    role = "admin" if name in ("policy", "alerts", "alert") else "viewer"  # the forms are on the page
    page = open_page(PAGES[name].format(alert=alert_id), role=role, bypass_csp=True)  # to inject axe
    page.wait_for_load_state("networkidle")
    if name == "incidents-panel":
        page.locator('[data-testid="incidents-table"] tbody tr').first.locator("a").first.click()
        expect(page.get_by_test_id("action-panel")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


def test_the_source_banners_have_no_serious_accessibility_violation(open_page, browser_estate):
    page = open_page("/?view=overview", base=browser_estate.degraded.url, bypass_csp=True)
    expect(page.get_by_test_id("source-banner")).to_be_visible()
    page.get_by_test_id("capability-banner").locator("summary").click()  # its table, unfolded
    violations = axe_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


def test_the_sign_in_page_has_no_serious_accessibility_violation(chromium, browser_estate):
    context = chromium.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(browser_estate.control.url + "/login/")
        violations = axe_violations(page)
        assert not violations, "axe-core found:\n" + "\n".join(violations)
    finally:
        context.close()


def focus_ring(page) -> str:
    """The focused element's outline, as drawn (width and style)."""
    style = "getComputedStyle(document.activeElement)"
    return page.evaluate(f"{style}.outlineWidth + ' ' + {style}.outlineStyle")


def tab_to(page, predicate: str, limit: int = 200) -> None:
    """Press Tab until document.activeElement satisfies the JS predicate `el => ...`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def test_the_keyboard_opens_an_incident_and_reaches_its_actions(open_page):
    page = open_page("/?view=incidents&inc_hours=168&inc_kind=run_failed")
    page.wait_for_load_state("networkidle")
    first_row = "el => el.matches('[data-testid=\"incidents-table\"] tbody tr:first-child a')"
    tab_to(page, first_row)
    assert focus_ring(page) != "0px none"
    screenshot(page, "keyboard-incident-row", page.get_by_test_id("incidents-table"))
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("action-panel")
    expect(panel).to_be_visible()
    # the panel takes the focus, and the next Tabs reach its copy buttons
    expect(page.locator("#action-title")).to_be_focused()
    tab_to(page, "el => el.matches('button[data-copy]')")
    expect(page.get_by_role("button", name="Copy action summary")).to_be_focused()
    assert focus_ring(page) != "0px none"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy as Markdown")).to_be_focused()
    screenshot(page, "keyboard-action-panel-button", panel)
    page.keyboard.press(" ")  # a button works from Space: copied, or the text shown to copy by hand
    expect(page.locator("#incident-status")).not_to_be_empty()
    # Escape closes the panel and puts the focus back on the incident's row
    page.locator("#action-title").focus()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(page.locator('[data-testid="incidents-table"] tbody tr:first-child a').first).to_be_focused()


def test_the_keyboard_unfolds_a_pipelines_incidents(open_page):
    page = open_page("/?view=incidents&inc_hours=168")
    page.wait_for_load_state("networkidle")
    tab_to(page, "el => el.matches('button.expand')")
    controls = page.evaluate("document.activeElement.getAttribute('aria-controls')")
    page.keyboard.press(" ")
    expect(page.locator(f'tr[data-group="{controls}"]').first).to_be_visible()
    expect(page.locator(f'button[aria-controls="{controls}"]')).to_have_attribute("aria-expanded", "true")
    tab_to(page, f"el => el.closest('tr[data-group=\"{controls}\"]') !== null")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("action-panel")).to_be_visible()


def test_the_keyboard_reaches_an_alerts_actions(open_page, alert_id):
    page = open_page("/ops/alerts/", role="admin")
    actions = page.get_by_test_id(f"alert-actions-{alert_id}")
    tab_to(page, f"el => el.closest('[data-testid=\"alert-actions-{alert_id}\"]') !== null")
    expect(actions.get_by_role("button", name="Acknowledge")).to_be_focused()
    assert focus_ring(page) != "0px none"
    screenshot(page, "keyboard-alert-actions", page.get_by_test_id(f"alert-{alert_id}"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flash")).to_have_text(f"Alert {alert_id} acknowledged.")
