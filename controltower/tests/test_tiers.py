"""Each tier mounts, and publishes in its OpenAPI schema, what it serves (controltower/tier.py): a
source has no /api/aggregate/* and no ops pages, a control tier none of the source API's routes;
a source's `/` says what it is."""

from pathlib import Path

import pytest
import requests
import yaml

from controltower.tier import CONTROL, SOURCE, tier_of
from testsupport.live_servers import live_estate
from testsupport.routes import all_routes
from testsupport.tiers import SCHEMA_FILES

ROOT = Path(__file__).resolve().parents[2]
SHARED = {"health", "version", "api/schema/", "api/docs/"}  # besides the admin, on every tier
SHARED |= {"api/redoc/", "api/redoc/redoc.standalone.js"}
OPENAPI = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "ct_sources, aws_base, azure_base, tier",
    [
        ("", "", "", SOURCE),
        ("  ", "", "", SOURCE),
        ("aws=https://aws.example.com", "", "", CONTROL),
        ("", "https://aws.example.com", "", CONTROL),
        ("", "", "https://azure.example.com", CONTROL),
        ("not-a-source-entry", "", "", CONTROL),  # still a control tier; ct.E002 names the mistake
    ],
)
def test_configured_sources_make_a_control_tier(ct_sources, aws_base, azure_base, tier):
    assert tier_of(ct_sources, aws_base, azure_base) == tier


def own_patterns() -> list[str]:
    """The patterns a tier mounts besides the admin and what every tier shares."""
    return [r.pattern for r in all_routes() if r.namespace != "admin" and r.pattern not in SHARED]


def test_a_source_mounts_its_api_and_nothing_of_the_control_tier(client_for, viewer):
    patterns = own_patterns()
    assert "api/summary" in patterns and "api/v1/lineage" in patterns and "api/triage/query" in patterns
    assert [p for p in patterns if p.startswith("api/aggregate/") or p in ("ops/", "login/")] == []
    response = client_for(viewer).get("/api/aggregate/summary")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_control_tier_mounts_no_source_api_route(control_tier, client_for, viewer):
    patterns = own_patterns()
    assert [p for p in patterns if p.startswith("api/") and not p.startswith("api/aggregate/")] == []
    assert {"", "ops/", "login/", "api/aggregate/summary"} <= set(patterns)
    for path in ("/api/summary", "/api/policies/profiles", "/api/explain/run/run-1"):
        response = client_for(viewer).get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", path


def test_a_source_says_what_it_is_at_its_root(anon_client, settings):
    settings.CT_SOURCE_NAME = "aws"
    response = anon_client.get("/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Control Tower source API" in page and 'data-testid="source-name">aws<' in page
    for link in ("/api/docs/", "/api/redoc/", "/health", "/admin/"):
        assert f'href="{link}"' in page
    assert anon_client.post("/").status_code == 405


def test_every_tier_answers_favicon_ico_with_the_vendored_icon(anon_client, settings):
    response = anon_client.get("/favicon.ico")  # what browsers ask for unprompted: no JSON 404
    assert response.status_code == 301 and response["Location"] == "/static/ops/favicon.ico"
    page = anon_client.get("/").content.decode()  # and the pages name their icon
    assert '<link rel="icon" href="/static/ops/favicon.svg"' in page


def test_each_tier_reports_the_tier_it_serves_as(each_tier, anon_client):
    assert anon_client.get("/health").json()["tier"] == each_tier
    assert anon_client.get("/version").json()["tier"] == each_tier


def test_each_tier_serves_its_committed_schema_and_docs(each_tier, client_for, viewer):
    client = client_for(viewer)
    served = client.get("/api/schema/", **OPENAPI).json()
    committed = yaml.safe_load((ROOT / SCHEMA_FILES[each_tier]).read_text())
    assert served["info"] == committed["info"]
    assert sorted(served["paths"]) == sorted(committed["paths"])
    docs = client.get("/api/docs/").content.decode()
    assert committed["info"]["title"] in docs


@pytest.mark.slow
def test_live_tiers_decide_their_routes_from_their_environment():
    """Real processes: the source (no CT_SOURCES) and the control tier (CT_SOURCES set) each publish
    their own schema, report their tier and answer 404 for the other tier's routes."""
    estate = live_estate()
    auth = {"Authorization": f"Token {estate.token}"}
    tiers = ((estate.aws, SOURCE, "/api/aggregate/summary"), (estate.control, CONTROL, "/api/summary"))
    for server, tier, foreign in tiers:
        committed = yaml.safe_load((ROOT / SCHEMA_FILES[tier]).read_text())
        served = requests.get(f"{server.url}/api/schema/?format=json", headers=auth, timeout=30).json()
        assert sorted(served["paths"]) == sorted(committed["paths"]), tier
        assert requests.get(f"{server.url}/health", timeout=10).json()["tier"] == tier
        assert requests.get(f"{server.url}{foreign}", headers=auth, timeout=10).status_code == 404
    home = requests.get(f"{estate.aws.url}/", timeout=10)
    assert home.status_code == 200 and 'data-testid="source-name">aws<' in home.text
