"""The authorization matrix: every route and method each tier mounts (the source API's URLconf and
the control tier's) x every persona (anonymous, a user with no role, viewer, operator,
governance_admin, a revoked token, an expired token, an inactive user, a producer's token scoped
to `lineage:write`, and a service account acting for a viewer or for someone unknown here), under
both CT_PUBLIC_READ settings.

Expectations are derived from the route's kind, never from a list someone must remember to extend:
- public (/health, /version, the schema and docs, login/logout, a source's root page): everyone; a
  bad credential sent to a public API route that authenticates is still refused (401), never
  silently ignored;
- API reads: a login (any role), or anyone when CT_PUBLIC_READ; bad credentials are always 401;
- API writes: the view's `write_role` (asserted against the explicit WRITE_ROLES table below);
- a scoped token: only the routes declaring its scope (LINEAGE_ROUTES, POST), 403 elsewhere;
- a service account acting for someone: that person's role; for someone without an active
  account here, 403 on every route that authenticates;
- methods a view does not declare: refused (401/403/405), never served;
- ops pages: a session (else the login page) unless CT_PUBLIC_READ; the policy form's POST writes
  only for governance admins;
- admin: staff only; every persona here is non-staff and lands on the admin login.
A route that fits none of these fails `test_every_route_has_a_kind`."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from aggregate_app import breaker
from controltower import tokens
from controltower.api.auth import SERVICE_GROUP
from controltower.roles import GOVERNANCE_ADMIN, LINEAGE_WRITE, OPERATOR, VIEWER
from controltower.tier import CONTROL
from controltower.views import source_home
from testsupport.routes import Route, all_routes
from testsupport.stubs import StubSource

pytestmark = [pytest.mark.django_db]

# The write routes and the role each needs: the published contract, asserted against the views
# (a source mounts the first group, the control tier the /api/aggregate/ group).
WRITE_ROLES = {
    "api/v1/lineage": OPERATOR,
    "api/v1/lineage/batch": OPERATOR,
    "api/runbooks/governance/upsert": OPERATOR,
    "api/runbooks/governance/remove": OPERATOR,
    "api/triage/query": VIEWER,  # a read in substance (POST for its body)
    "api/policies/assign": GOVERNANCE_ADMIN,
    "api/policies/remove": GOVERNANCE_ADMIN,
    "api/policies/profiles/assign": GOVERNANCE_ADMIN,
    "api/policies/profiles/remove": GOVERNANCE_ADMIN,
    "api/policies/exceptions/review": GOVERNANCE_ADMIN,
    "api/dq/standards/upsert": GOVERNANCE_ADMIN,
    "api/dq/standards/remove": GOVERNANCE_ADMIN,
    "api/dq/upsert": GOVERNANCE_ADMIN,
    "api/dq/remove": GOVERNANCE_ADMIN,
    "api/dq/exceptions/review": GOVERNANCE_ADMIN,
    "api/aggregate/v1/lineage": OPERATOR,
    "api/aggregate/v1/lineage/batch": OPERATOR,
    "api/aggregate/triage/query": VIEWER,
    "api/aggregate/runbooks/governance/upsert": OPERATOR,
    "api/aggregate/runbooks/governance/remove": OPERATOR,
    "api/aggregate/policies/profiles/assign": GOVERNANCE_ADMIN,
    "api/aggregate/policies/profiles/remove": GOVERNANCE_ADMIN,
    "api/aggregate/policies/assign": GOVERNANCE_ADMIN,
    "api/aggregate/policies/remove": GOVERNANCE_ADMIN,
    "api/aggregate/policies/exceptions/review": GOVERNANCE_ADMIN,
    "api/aggregate/dq/standards/upsert": GOVERNANCE_ADMIN,
    "api/aggregate/dq/standards/remove": GOVERNANCE_ADMIN,
    "api/aggregate/dq/exceptions/review": GOVERNANCE_ADMIN,
    "api/aggregate/alerts/<str:alert_id>/acknowledge": OPERATOR,
    "api/aggregate/alerts/<str:alert_id>/snooze": OPERATOR,
    "api/aggregate/alerts/<str:alert_id>/resolve": OPERATOR,
    "api/aggregate/alerts/evaluate": OPERATOR,  # or a source's nudge token
}
LINEAGE_ROUTES = {p for p in WRITE_ROLES if p.endswith(("v1/lineage", "v1/lineage/batch"))}
PUBLIC_API = {"health", "version", "api/schema/", "api/docs/", "api/redoc/"}
# Non-DRF routes: the ops pages and their login/logout, with the methods each serves.
PAGE_METHODS = {"": ("GET", "POST"), "ops/": ("GET", "POST"), "ops/<str:view>/": ("GET",)}
PAGE_METHODS |= {"ops/alerts/": ("GET",), "ops/alerts/<int:alert_id>/": ("GET",)}
PAGE_METHODS["ops/alerts/<int:alert_id>/<str:verb>/"] = ("POST",)  # acknowledge, snooze, resolve: operators
PUBLIC_PAGES = {"login/": ("GET", "POST"), "logout/": ("POST",), "favicon.ico": ("GET",)}
PUBLIC_PAGES["metrics"] = ("GET",)  # open outside production (test_observe_metrics: token, allow-list)
PUBLIC_PAGES["api/redoc/redoc.standalone.js"] = ("GET",)  # ReDoc's bundle, as /api/redoc/ loads it
ADMIN_PUBLIC = {"login/", "logout/"}
UNDECLARED = "DELETE"  # no route serves it: every persona must be refused

PERSONAS = (
    "anonymous",
    "no_role",
    "viewer",
    "operator",
    "governance_admin",
    "revoked_token",
    "expired_token",
    "inactive_user",
    "scoped_producer",
    "acting_viewer",
    "acting_unknown",
)
ROLE_OF = {"no_role": None, "viewer": VIEWER, "operator": OPERATOR, "governance_admin": GOVERNANCE_ADMIN}
ACTS_AS = {"acting_viewer": VIEWER}  # a service account's token, X-Acting-User naming a viewer
BAD_CREDENTIALS = ("revoked_token", "expired_token", "inactive_user")
TOKEN_ONLY = (*BAD_CREDENTIALS, "scoped_producer", "acting_viewer", "acting_unknown")  # no session
ALLOW, LOGIN_PAGE, REFUSED, PUBLIC = "allow", "login page", "refused", "public"


def kind(route: Route) -> str:
    if route.callback is source_home:
        return "source-home"
    if route.namespace == "admin":
        return "admin-public" if route.pattern.removeprefix("admin/") in ADMIN_PUBLIC else "admin"
    if route.is_api:
        if route.pattern in PUBLIC_API:
            return "public-api"
        return "api"
    if route.pattern in PAGE_METHODS:
        return "page"
    if route.pattern in PUBLIC_PAGES:
        return "public-page"
    return "unknown"


def methods(route: Route) -> tuple[str, ...]:
    k = kind(route)
    if k in ("admin", "admin-public"):
        return ("GET", "POST")
    if k == "page":
        return PAGE_METHODS[route.pattern]
    if k == "public-page":
        return PUBLIC_PAGES[route.pattern]
    if k == "source-home":
        return ("GET",)
    return route.methods


def write_role(route: Route) -> str:
    return getattr(route.view, "write_role", OPERATOR)


def rank(persona: str) -> int:
    return {None: 0, VIEWER: 1, OPERATOR: 2, GOVERNANCE_ADMIN: 3}[
        ROLE_OF.get(persona) or ACTS_AS.get(persona)
    ]


def expected(route: Route, method: str, persona: str, public_read: bool):
    k = kind(route)
    if k == "public-api":
        return expected_public_api(route, persona)
    if k in ("public-page", "admin-public", "source-home"):
        return PUBLIC  # may redirect to a login page (logout does), never refuses
    if k == "admin":
        return LOGIN_PAGE  # no persona here is staff
    if k == "page":
        return expected_page(route, method, persona, public_read)
    return expected_api(route, method, persona, public_read)


def expected_public_api(route: Route, persona: str):
    authenticates = bool(route.view.authentication_classes)
    if authenticates and persona == "acting_unknown":
        return 403
    return 401 if persona in BAD_CREDENTIALS and authenticates else ALLOW


def expected_page(route: Route, method: str, persona: str, public_read: bool):
    if route.pattern == "ops/<str:view>/":
        return ALLOW  # a redirect to /?view=…, which is itself checked
    signed_in = persona in ROLE_OF
    if not signed_in:
        return ALLOW if (public_read and method == "GET") else LOGIN_PAGE if not public_read else REFUSED
    needed = "operator" if route.pattern.startswith("ops/alerts/") else "governance_admin"
    if method == "POST" and rank(persona) < rank(needed):
        return REFUSED  # redirected back with "nothing was changed", or 403
    return ALLOW


def expected_api(route: Route, method: str, persona: str, public_read: bool):
    if method == UNDECLARED:
        return REFUSED
    if persona == "anonymous":
        return ALLOW if (method == "GET" and public_read) else 401
    if persona in BAD_CREDENTIALS:
        return 401
    if persona == "acting_unknown":
        return 403
    if persona == "scoped_producer":
        return ALLOW if (route.pattern in LINEAGE_ROUTES and method == "POST") else 403
    if method == "GET":
        return ALLOW
    needed = {VIEWER: 1, OPERATOR: 2, GOVERNANCE_ADMIN: 3}[write_role(route)]
    return ALLOW if rank(persona) >= needed else 403


def outcome(route: Route, response, expectation) -> bool:
    status = response.status_code
    login = status == 302 and "login" in response.get("Location", "")
    if expectation == ALLOW:
        return not login and status not in (401, 403) and (status < 500 or status in (502, 503))
    if expectation == PUBLIC:
        return status not in (401, 403) and status < 500
    if expectation == LOGIN_PAGE:
        return login
    if expectation == REFUSED:
        return status in (302, 401, 403, 405) and not (200 <= status < 300)
    return status == expectation


@pytest.fixture
def personas(db) -> dict:
    users = {}
    for name, role in ROLE_OF.items():
        users[name] = _user(name, role)
    users["revoked_token"] = _user("revoked", OPERATOR)
    tokens.revoke(users["revoked_token"].api_tokens.all())
    users["expired_token"] = _user("expired", OPERATOR)
    users["expired_token"].api_tokens.update(expires_at=timezone.now())
    users["inactive_user"] = _user("inactive", GOVERNANCE_ADMIN)
    User.objects.filter(pk=users["inactive_user"].pk).update(is_active=False)
    users["inactive_user"].refresh_from_db()
    users["scoped_producer"] = producer = _user("producer", GOVERNANCE_ADMIN, token=False)
    producer.api_key = tokens.issue(producer, name="airflow", scopes=[LINEAGE_WRITE])[1]
    service = _user("svc-control", GOVERNANCE_ADMIN)
    service.groups.add(Group.objects.get_or_create(name=SERVICE_GROUP)[0])
    users["acting_viewer"] = users["acting_unknown"] = service
    return users


def _user(username: str, role: str | None, token: bool = True) -> User:
    user = User.objects.create(username=username)  # no password: hashing one per persona is slow
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if token:
        user.api_key = tokens.issue(user)[1]
    return user


def clients(persona: str, users: dict) -> tuple[APIClient, Client]:
    """(API client with the persona's token, browser client with the persona's session)."""
    api, browser = APIClient(), Client()
    if persona == "anonymous":
        return api, browser
    user = users[persona]
    acting = {"acting_viewer": "viewer", "acting_unknown": "nobody-here"}.get(persona)
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {user.api_key}", **({"HTTP_X_ACTING_USER": acting} if acting else {})
    )
    key = user.api_key
    if persona not in TOKEN_ONLY:
        browser.force_login(user)
    else:
        browser.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"  # pages ignore tokens: still anonymous
    return api, browser


@pytest.fixture
def one_source(settings, monkeypatch):
    """One (stub) source for the control tier, so aggregate routes and pages get past configuration."""
    stub = StubSource("aws").start()
    settings.CT_SOURCES = f"aws={stub.url}"
    settings.CT_SOURCE_TIMEOUT_S, settings.CT_SOURCE_RETRIES = 1.0, 0
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", "aws-service-token")
    breaker.reset()
    yield stub
    stub.stop()
    breaker.reset()


def test_every_route_has_a_kind(each_tier):
    unknown = [r.pattern for r in all_routes() if kind(r) == "unknown"]
    assert unknown == [], f"classify these routes in test_authz_matrix.py: {unknown}"


def tier_writes(tier: str) -> dict:
    """The rows of WRITE_ROLES that `tier` mounts."""
    return {p: r for p, r in WRITE_ROLES.items() if p.startswith("api/aggregate/") == (tier == CONTROL)}


def test_write_roles_match_the_published_table(each_tier):
    derived = {
        r.pattern: write_role(r)
        for r in all_routes()
        if kind(r) == "api" and any(m in r.methods for m in ("POST", "PUT", "PATCH", "DELETE"))
    }
    assert derived == tier_writes(each_tier)


def test_public_api_views_allow_anyone(each_tier):
    for route in all_routes():
        if kind(route) == "public-api":
            public = getattr(route.view, "public", False) or AllowAny in route.view.permission_classes
            assert public, route.pattern


@pytest.mark.parametrize("public_read", [False, True], ids=["private-reads", "public-reads"])
def test_authorization_matrix(public_read, each_tier, personas, one_source, settings):
    settings.CT_PUBLIC_READ = public_read
    settings.CT_WAREHOUSE_BACKEND = "none"  # authorization is decided before any telemetry is read
    mismatches, cells = [], 0
    by_persona = {p: clients(p, personas) for p in PERSONAS}
    for route in all_routes():
        for method in (*methods(route), UNDECLARED if kind(route) == "api" else None):
            if method is None:
                continue
            for persona in PERSONAS:
                api, browser = by_persona[persona]
                client = api if kind(route) in ("api", "public-api") else browser
                body = {} if method != "GET" else None
                response = getattr(client, method.lower())(route.path, body, **_json(method, client))
                want = expected(route, method, persona, public_read)
                cells += 1
                if not outcome(route, response, want):
                    mismatches.append(f"{method} {route.path} as {persona}: want {want}, got "
                                      f"{response.status_code} {response.get('Location', '')}")  # fmt: skip
    assert mismatches == [], "\n".join(mismatches)
    assert cells > 1500
    posts = [r for r in one_source.requests if r.method == "POST"]
    allowed_writers = {"operator", "governance_admin", "viewer", "producer"}  # triage queries: viewer writes
    assert {r.headers.get("X-Acting-User") for r in posts} <= allowed_writers


def _json(method: str, client) -> dict:
    return {"format": "json"} if method != "GET" and isinstance(client, APIClient) else {}


def test_a_role_is_read_fresh_for_every_request(personas, client_for):
    """Taking a role away takes effect on the next request (no role cached across requests)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {personas['governance_admin'].api_key}")
    assert client.post("/api/policies/assign", {}, format="json").status_code == 400
    personas["governance_admin"].groups.clear()
    assert client.post("/api/policies/assign", {}, format="json").status_code == 403


def test_a_token_for_another_user_prefix_is_refused(personas):
    """A key sharing a prefix with a real one is still refused: the whole key must match."""
    key = personas["operator"].api_key
    client = APIClient()
    for forged in (key[:-1] + ("0" if key[-1] != "0" else "1"), key[:20], key + "0", key.upper()):
        client.credentials(HTTP_AUTHORIZATION=f"Token {forged}")
        assert client.get("/api/policies/profiles").status_code == 401, forged


def _csrf_token(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies[django_settings.CSRF_COOKIE_NAME].value


def test_session_writes_need_a_csrf_token_on_every_write_route(each_tier, personas, one_source):
    """A signed-in browser session can write through the API only with the CSRF token (a token
    client needs none: no cookie, no ambient authority)."""
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(personas["governance_admin"])
    token = _csrf_token(browser, "/admin/login/")  # a form every tier serves
    for pattern in tier_writes(each_tier):
        path = "/" + pattern
        refused = browser.post(path, {}, format="json")
        assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"], path
        accepted = browser.post(path, {}, format="json", HTTP_X_CSRFTOKEN=token)
        assert accepted.status_code not in (401, 403), (path, accepted.status_code)


@pytest.mark.parametrize(
    "path, form",
    [
        ("/login/", {"username": "governance_admin", "password": "x"}),
        ("/logout/", {}),
        ("/?view=policy", {"action": "assign", "assign-source": "aws"}),
        ("/admin/login/", {"username": "governance_admin", "password": "x"}),
        ("/admin/logout/", {}),
    ],
)
def test_page_forms_refuse_a_post_without_the_csrf_token(control_tier, personas, one_source, path, form):
    browser = Client(enforce_csrf_checks=True)
    if path != "/login/" and not path.startswith("/admin/login"):
        browser.force_login(personas["governance_admin"])
    signed_in = "_auth_user_id" in browser.session
    token = _csrf_token(browser, "/?view=policy" if signed_in else path)
    assert browser.post(path, form).status_code == 403
    assert browser.post(path, {**form, "csrfmiddlewaretoken": token}).status_code != 403
