"""Every response carries the Content-Security-Policy, and nothing the project renders needs an
exception to it: no template has an inline script, style attribute or event handler, and Swagger
UI's and ReDoc's pages load their code from this deployment (ReDoc's search worker, a blob: URL, is
allowed on its page only) (the browser proof: aggregate_app/tests/browser/
test_csp_browser.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from testsupport.csp_policy import POLICY

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "source": ["/", "/health", "/api/docs/", "/admin/login/"],
    "control": ["/login/", "/health", "/api/docs/", "/admin/login/"],
}
NONCED = r'nonce="\{\{ request\.csp_nonce \}\}"'  # what a template may put on an inline element
INLINE = {
    "script without src": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element without the nonce": re.compile(rf"<style\b(?![^>]*\s{NONCED})", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle=", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def policy(header: str) -> dict[str, set[str]]:
    """The directives of a CSP header, without the response's nonce."""
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: {v for v in values if not v.startswith("'nonce-")} for name, *values in directives}


def test_every_tier_sends_the_policy(each_tier, anon_client):
    for path in PAGES[each_tier]:
        response = anon_client.get(path)
        assert response.status_code == 200, path
        assert policy(response["Content-Security-Policy"]) == POLICY, path


def templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*_app/templates"), ROOT / "controltower" / "templates"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.html"))


def test_no_template_needs_an_inline_exception():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates()
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert len(templates()) > 15 and found == []


def test_swagger_ui_runs_from_this_deployments_files(each_tier, anon_client):
    page = anon_client.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/api/docs/?script=" in urls and all(url.startswith("/") for url in urls), urls
    for url in urls:
        if url.startswith(f"/{settings.STATIC_URL}"):
            assert finders.find(url.removeprefix(f"/{settings.STATIC_URL}")), url
    script = anon_client.get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in script.content.decode() and '"/api/schema/"' in script.content.decode()


def test_redoc_runs_from_this_deployments_files(each_tier, anon_client):
    response = anon_client.get("/api/redoc/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert policy(header) == POLICY | {"worker-src": {"blob:"}}
    page = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/api/redoc/redoc.standalone.js" in urls and all(url.startswith("/") for url in urls), urls
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)  # the bundle's script carries it, for its styles
    assert f'<script src="/api/redoc/redoc.standalone.js" nonce="{nonce}">' in page
    assert 'data-schema-url="/api/schema/"' in page
    bundle = anon_client.get("/api/redoc/redoc.standalone.js").content
    assert b"cdn.redoc.ly" not in bundle and b"document.currentScript.nonce" in bundle
    assert policy(anon_client.get("/api/docs/")["Content-Security-Policy"]) == POLICY  # no worker there
