"""The Content-Security-Policy in a real browser, on live tiers: every page a person opens (the ops
pages and their sign-in, the admin signed out and in, Swagger UI on the control tier and on a
source, the printable executive report) carries the policy, breaks none of its rules (no
`securitypolicyviolation` event, no CSP error in the console) and asks nothing of any host but its
own. Swagger UI and ReDoc render the API's operations from the project's own files, and Swagger
UI's Authorize box takes a bare token."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from testsupport.browser_estate import PASSWORD, USERS
from testsupport.csp_policy import POLICY

from .conftest import SCREENSHOTS, VIEWPORT, screenshot

pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""
SUMMARY = "This deployment's build: id, git commit and release tag"  # /version's, on both tiers
OPS_VIEWS = ("overview", "incidents", "triage", "costs", "governance", "policy", "diagnostics")
# (tier, path, who): who is None (signed out), "viewer" or "admin" (a governance admin, staff).
PAGES = [
    *[("control", f"/?view={view}", "admin" if view == "policy" else "viewer") for view in OPS_VIEWS],
    ("control", "/login/", None),
    ("control", "/admin/login/", None),
    ("control", "/admin/", "admin"),
    ("control", "/admin/aggregate/smokerun/", "admin"),
    ("aws", "/", None),
    ("aws", "/admin/login/", None),
    ("aws", "/admin/", "admin"),
    ("aws", "/admin/governance/policyassignment/", "admin"),
    ("aws", "/admin/governance/policyassignment/add/", "admin"),
]


def policy(header: str) -> dict[str, set[str]]:
    """The directives of a CSP header, without the response's nonce."""
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: {v for v in values if not v.startswith("'nonce-")} for name, *values in directives}


class Watched:
    """A page in a fresh browser context that records CSP violations, CSP console errors and every
    request for another host (aborted: the test machine has no way out, and a page needs none)."""

    def __init__(self, context):
        self.context, self.page = context, context.new_page()
        self.console: list[str] = []
        self.outside: list[str] = []
        self.page.add_init_script(WATCH_VIOLATIONS)
        self.page.on("console", self._console)
        context.route("**/*", self._route)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, url: str):
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return response

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.cspViolations")
        assert (violations, self.console, self.outside) == ([], [], [])


@pytest.fixture
def watched(chromium, browser_estate, sessions):
    """watched(tier, who) -> a Watched page in a new context, signed in as `who` on that tier."""
    contexts = []

    def open_(tier: str, who: str | None) -> Watched:
        base = getattr(browser_estate, tier).url
        state = admin_sign_in(chromium, base) if tier != "control" and who else None
        if tier == "control" and who:
            state = sessions(who, base)
        context = chromium.new_context(viewport=VIEWPORT, storage_state=state)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Watched(context)

    yield open_
    for context in contexts:
        context.close()


_admin_states: dict = {}


def admin_sign_in(chromium, base: str) -> dict:
    """A source has no ops pages: the governance admin signs in through its admin's form."""
    if base not in _admin_states:
        context = chromium.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(base + "/admin/login/")
        page.get_by_label("Username").fill(USERS["admin"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/admin/")
        _admin_states[base] = context.storage_state()
        context.close()
    return _admin_states[base]


@pytest.mark.parametrize("tier, path, who", PAGES, ids=[f"{t}{p}" for t, p, _ in PAGES])
def test_each_page_keeps_to_the_policy(watched, browser_estate, tier, path, who):
    browser = watched(tier, who)
    response = browser.open(getattr(browser_estate, tier).url + path)
    assert response.status == 200 and urlsplit(browser.page.url).path == urlsplit(path).path
    assert policy(response.headers["content-security-policy"]) == POLICY
    browser.assert_clean()
    if who == "admin" and path.startswith("/admin/"):
        expect(browser.page.locator("#user-tools")).to_contain_text(USERS["admin"][0])


def test_the_executive_report_is_styled_by_its_nonce(watched, browser_estate):
    browser = watched("aws", "admin")
    response = browser.open(browser_estate.aws.url + "/api/governance/report/executive?view=html")
    assert "'nonce-" in response.headers["content-security-policy"]
    # the inline stylesheet applied: the page is a centred column, as printed
    assert browser.page.evaluate("getComputedStyle(document.body).maxWidth") == "960px"
    browser.assert_clean()


@pytest.mark.parametrize("tier", ["control", "aws"])
def test_swagger_ui_renders_the_api_offline(watched, browser_estate, tier):
    browser = watched(tier, None)
    response = browser.open(getattr(browser_estate, tier).url + "/api/docs/")
    assert policy(response.headers["content-security-policy"]) == POLICY
    expect(browser.page.locator(".opblock").first).to_be_visible()
    assert browser.page.locator(".opblock").count() > 20
    expect(browser.page.locator(".opblock-summary-path", has_text="/health").first).to_be_visible()
    # one section per area, each headed by its description (SPECTACULAR_SETTINGS["TAGS"])
    assert browser.page.locator(".opblock-tag-section").count() >= 12
    costs = browser.page.locator("#operations-tag-costs")
    expect(costs).to_contain_text("Spend: totals, trend, ranking, anomalies")
    expect(browser.page.get_by_text(SUMMARY).first).to_be_visible()
    screenshot(browser.page, f"api-docs-{tier}")
    browser.assert_clean()


@pytest.mark.parametrize("tier", ["control", "aws"])
def test_redoc_renders_the_api_offline(watched, browser_estate, tier):
    browser = watched(tier, None)
    response = browser.open(getattr(browser_estate, tier).url + "/api/redoc/")
    # the policy, with ReDoc's search worker (a blob: URL) allowed on this page only
    assert policy(response.headers["content-security-policy"]) == POLICY | {"worker-src": {"blob:"}}
    page = browser.page
    # ReDoc reads and lays out the whole schema before it shows anything: seconds on a busy machine
    expect(page.get_by_role("heading", name=SUMMARY).first).to_be_visible(timeout=60_000)
    assert page.locator("[data-section-id^='operation/']").count() > 20
    expect(page.get_by_text("API docs by Redocly")).to_be_visible()  # its footer, without the CDN's logo
    page.get_by_placeholder("Search...").press_sequentially("impact")  # the index runs in its worker
    results = page.locator("[data-role='search:results'] [role=menuitem]")
    expect(results.first).to_be_visible(timeout=30_000)
    expect(results.first).to_have_attribute("data-item-id", re.compile("impact"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"api-redoc-{tier}.png"))  # the first screen: the page is long
    browser.assert_clean()


def test_swagger_ui_authorizes_with_a_bare_token(watched, browser_estate):
    browser = watched("aws", None)
    page = browser.page
    browser.open(browser_estate.aws.url + "/api/docs/")
    page.locator(".auth-wrapper .authorize").click()
    scheme = page.locator(".dialog-ux .auth-container", has_text="tokenAuth")
    expect(scheme).to_contain_text("(http, Bearer)")
    expect(scheme).to_contain_text("An API token (manage.py ct_user)")  # the scheme, explained in the box
    expect(scheme).to_contain_text("paste the key alone")
    screenshot(page, "api-docs-authorize", page.locator(".dialog-ux .modal-ux"))
    scheme.locator("input").fill(browser_estate.token)  # the bare token: no "Token " or "Bearer " typed
    scheme.get_by_role("button", name="Apply credentials").click()
    scheme.get_by_role("button", name="Close").click()
    operation = page.locator("#operations-pipelines-api_summary_retrieve")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status")
    expect(status).to_have_text("200")
    expect(operation.locator(".curl-command")).to_contain_text(
        f"Authorization: Bearer {browser_estate.token}"
    )
    browser.assert_clean()
