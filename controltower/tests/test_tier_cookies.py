"""Tiers on one host keep separate sign-ins: a browser sends every 127.0.0.1 cookie to every port,
so each tier names its own session and CSRF cookies (live control tier and source processes)."""

import re

import pytest
import requests

from testsupport.live_servers import Server, live_estate, manage

pytestmark = pytest.mark.slow
USER, PASSWORD = "cookie-admin", "cookie-admin-pass-4711"


@pytest.fixture(scope="module")
def tiers_with_admin():
    estate = live_estate()
    for server in (estate.control, estate.aws):
        manage(server.data_dir, "ct_user", USER, "--role", "governance_admin", "--password", PASSWORD)
    return estate


def sign_in(browser: requests.Session, server: Server) -> None:
    form = browser.get(f"{server.url}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    done = browser.post(
        f"{server.url}/admin/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin/", done.text[:500]


def signed_in(browser: requests.Session, url: str) -> bool:
    page = browser.get(url, allow_redirects=False, timeout=30)
    return page.status_code == 200 and USER in page.text


def test_signing_in_to_a_source_keeps_the_control_tier_session(tiers_with_admin):
    browser = requests.Session()
    sign_in(browser, tiers_with_admin.control)
    assert signed_in(browser, f"{tiers_with_admin.control.url}/admin/")
    sign_in(browser, tiers_with_admin.aws)
    assert signed_in(browser, f"{tiers_with_admin.aws.url}/admin/")
    assert signed_in(browser, f"{tiers_with_admin.control.url}/admin/"), (
        "signing in on the source signed out the control tier"
    )
    names = {cookie.name for cookie in browser.cookies}
    assert {"ct_control_sessionid", "ct_control_csrftoken", "ct_aws_sessionid", "ct_aws_csrftoken"} <= names


def test_control_tier_admin_sends_governance_admins_to_each_source(tiers_with_admin):
    browser = requests.Session()
    sign_in(browser, tiers_with_admin.control)
    index = browser.get(f"{tiers_with_admin.control.url}/admin/", timeout=30).text
    links = re.findall(r'<th scope="row"><a href="([^"]+)">', index)
    assert links == [f"{tiers_with_admin.aws.url}/admin/", f"{tiers_with_admin.azure.url}/admin/"]
    assert "/admin/governance/" not in index
    refused = browser.get(
        f"{tiers_with_admin.control.url}/admin/governance/policyassignment/add/", timeout=30
    )
    assert refused.status_code == 403
    sign_in(browser, tiers_with_admin.aws)
    assert signed_in(browser, f"{links[0]}governance/policyassignment/add/")
