"""Secrets never leave the process: with recognizable values set for every secret setting
(source service tokens, the Snowflake password and private key, LLM keys, webhook URLs,
GITHUB_TOKEN, SMOKE_TOKEN, SECRET_KEY), every GET route either tier mounts (API, pages, admin),
the diagnostics download, an assisted triage query, a failed alert and the error answers of a
broken warehouse are searched, together with every log record, for any of them."""

import base64
import logging
import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from aggregate_app import breaker
from alerting_app import actions, outbox
from alerting_app.models import Notification
from controltower.tier import CONTROL, SOURCE
from pipelines_app.warehouse import get_warehouse, reset_warehouse
from testsupport.personas import make_user
from testsupport.routes import all_routes
from testsupport.stubs import StubSource
from testsupport.tiers import serve_as

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SECRETS = {
    "source_token": "srcTOKEN0aws0c0ffee0secret0001",
    "sf_password": "Sf-Pa55word-SECRET-8d1e",
    "sf_key": base64.b64encode(b"-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n").decode(),
    "openai_key": "sk-SECRET-openai-key-5a9c",
    "azure_key": "az-SECRET-azure-openai-key-71b0",
    "webhook_path": "T0SECRET/B0SECRET/webhookSECRETpath",
    "github_token": "ghp_SECRETgithubTOKEN0123456789",
    "smoke_token": "smokeSECRETtoken4242",
    "secret_key": "django-SECRET-key-that-must-never-show-9f8e7d6c5b4a",
    "basic_auth": "userinfoSECRETpw",
}


def leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if value in text]


@pytest.fixture
def secret_settings(settings, monkeypatch, fakesnow_server):
    aws, hooks, github, llm = (StubSource(n).start() for n in ("aws", "hooks", "github", "llm"))
    aws.reply("/version", {"build": {"build_id": "b1", "git_sha": "abc", "release_tag": "v1"}})
    github.reply("/repos/acme/tower/actions/runs", {"message": "boom"}, status=500)
    hooks.reply("/" + SECRETS["webhook_path"], {"ok": False}, status=500)
    llm.garbage("/v1/chat/completions")
    settings.CT_SOURCES = f"aws={aws.url}"
    settings.CT_SOURCE_TIMEOUT_S, settings.CT_SOURCE_RETRIES = 1.0, 0
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", SECRETS["source_token"])
    settings.SECRET_KEY = SECRETS["secret_key"]
    settings.SMOKE_TOKEN = SECRETS["smoke_token"]
    settings.SMOKE_ALERT_WEBHOOK = f"{hooks.url}/{SECRETS['webhook_path']}"
    settings.CT_ALERT_WEBHOOK = f"{hooks.url}/{SECRETS['webhook_path']}"
    settings.GITHUB_REPOSITORY, settings.GITHUB_TOKEN = "acme/tower", SECRETS["github_token"]
    settings.GITHUB_API_URL = github.url
    settings.ASSISTED_TRIAGE_PROVIDER = "openai"
    settings.ASSISTED_RETRY_MAX_ATTEMPTS, settings.ASSISTED_TIMEOUT_S = 1, 2.0
    host = llm.url.removeprefix("http://")
    settings.OPENAI_BASE_URL = f"http://user:{SECRETS['basic_auth']}@{host}/v1"
    settings.OPENAI_API_KEY, settings.OPENAI_MODEL = SECRETS["openai_key"], "tiny"
    settings.AZURE_OPENAI_API_KEY = SECRETS["azure_key"]
    settings.CT_WAREHOUSE_BACKEND = "snowflake"
    kw = fakesnow_server  # the real connector, logging at DEBUG, with the recognizable password
    settings.SNOWFLAKE = {
        **settings.SNOWFLAKE,
        "account_url": f"{kw['protocol']}://{kw['host']}:{kw['port']}",
        "user": kw["user"],
        "password": SECRETS["sf_password"],
        "private_key_pem_b64": "",
        "database": f"CT_SECRETS_{uuid.uuid4().hex[:8].upper()}",
    }
    settings.CT_WAREHOUSE_QUERY_TIMEOUT_S = 2
    breaker.reset()
    reset_warehouse()
    get_warehouse().create_schema()
    yield {"aws": aws, "hooks": hooks, "github": github, "llm": llm}
    reset_warehouse()
    breaker.reset()
    for stub in (aws, hooks, github, llm):
        stub.stop()


def _texts(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return headers + "\n" + body.decode(errors="replace")


def test_no_secret_in_any_answer_or_log(secret_settings, settings, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_user("gina", "governance_admin")
    superuser = User.objects.create_superuser("root", password=None)
    api, browser = APIClient(), APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {admin.api_key}")
    browser.force_login(superuser)
    seen, answers = [], 0
    for tier in (SOURCE, CONTROL):
        serve_as(settings, tier)
        for route in all_routes():
            if route.namespace != "admin" and "GET" not in route.methods and route.view is not None:
                continue
            client = api if route.is_api else browser
            exports = "export" in route.path or "diagnostics" in route.path
            for suffix in ("", "?format=csv", "?download=1") if exports else ("",):
                response = client.get(route.path + suffix)
                answers += 1
                seen += [
                    f"{tier}: GET {route.path}{suffix} ({response.status_code}): {n}"
                    for n in leaks(_texts(response))
                ]
    serve_as(settings, SOURCE)
    for mode in ("deterministic", "assisted"):
        response = api.post("/api/triage/query", {"error_message": "boom", "mode": mode}, format="json")
        seen += [f"triage {mode}: {n}" for n in leaks(_texts(response))]
    serve_as(settings, CONTROL)
    for page in ("diagnostics", "triage", "policy"):
        response = browser.get(f"/?view={page}")
        seen += [f"page {page}: {n}" for n in leaks(_texts(response))]
    smoke = actions.Occurrence(
        "smoke_failure", "control", "api:aws", timezone.now(), "API smoke fails on aws"
    )
    actions.record(smoke)  # to SMOKE_ALERT_WEBHOOK (deprecated), which answers 500
    note = Notification.objects.get(channel="smoke-webhook")
    assert outbox.deliver(note.pk) == "failed"
    note.refresh_from_db()
    seen += [f"alert error text: {n}" for n in leaks(f"{note.last_error} {note.payload}")]
    seen += [f"log: {n}" for n in leaks(caplog.text)]
    assert answers > 150
    stubs = secret_settings  # the secrets were in use, so a leak would have been there to find
    assert any(SECRETS["source_token"] in str(r.headers) for r in stubs["aws"].requests)
    assert any(SECRETS["github_token"] in str(r.headers) for r in stubs["github"].requests)
    assert stubs["hooks"].requests and stubs["llm"].requests
    assert seen == [], "\n".join(seen)


@pytest.mark.parametrize("broken", ["bad private key", "unreachable with a password"])
def test_a_broken_warehouse_never_shows_its_credentials(
    secret_settings, settings, client_for, viewer, caplog, broken
):
    caplog.set_level(logging.DEBUG)
    if broken == "bad private key":
        settings.SNOWFLAKE = {**settings.SNOWFLAKE, "private_key_pem_b64": SECRETS["sf_key"], "password": ""}
    else:
        settings.SNOWFLAKE = {**settings.SNOWFLAKE, "account_url": "http://127.0.0.1:9"}
    reset_warehouse()
    response = client_for(viewer).get("/api/summary")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    health = APIClient().get("/health")
    assert health.json()["warehouse"]["status"] == "degraded"
    assert leaks(_texts(response) + _texts(health) + caplog.text) == []
