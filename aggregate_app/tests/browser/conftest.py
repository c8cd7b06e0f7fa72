"""Browser fixtures: the live estate (testsupport/browser_estate.py), one headless Chromium for the
session (the Debian `chromium` package driven by Playwright; no browser download), signed-in pages
per role, and screenshots under test-output/screenshots/.

Without Chromium or Playwright the browser tests skip, unless CT_REQUIRE_SERVICES=1 (CI), where
they fail."""

import os
import shutil
from pathlib import Path

import pytest

from testsupport.browser_estate import PASSWORD, ROOT, USERS, start_estate

CHROMIUM = os.environ.get("CT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}  # a laptop


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-dev.txt: `make` installs it)"
    return None


@pytest.fixture(scope="session")
def chromium():
    problem = _missing()
    if problem:
        if os.environ.get("CT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"browser tests need Chromium and Playwright: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_estate(chromium):
    live = start_estate()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def sessions(chromium, browser_estate):
    """Signed-in browser state per (role, base URL), made once: {(role, url): storage_state}."""
    cache: dict = {}

    def state_for(role: str, base: str) -> dict:
        if (role, base) not in cache:
            context = chromium.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(base + "/login/")
            page.get_by_label("Username").fill(USERS[role][0])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base + "/")
            cache[(role, base)] = context.storage_state()
            context.close()
        return cache[(role, base)]

    return state_for


@pytest.fixture
def open_page(chromium, browser_estate, sessions):
    """open_page(path, role="viewer", base=None, **context options) -> a loaded Playwright page."""
    contexts = []

    def open_(path: str, role: str = "viewer", base: str | None = None, **options):
        base = base or browser_estate.control.url
        context = chromium.new_context(viewport=VIEWPORT, storage_state=sessions(role, base), **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(base + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def screenshot(page, name: str, part=None) -> Path:
    """The whole page, or one element of it (`part`, a locator)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if part is not None:
        part.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    return path
