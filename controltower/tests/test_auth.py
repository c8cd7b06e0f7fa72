"""Token (Token/Bearer) and session auth; reads need a login unless CT_PUBLIC_READ; writes need a role."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from controltower import tokens
from controltower.models import ApiToken
from testsupport.personas import password_login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("testsupport.urls")]


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_token_and_bearer_keywords_authenticate(client_for, viewer, keyword):
    response = client_for(viewer, keyword=keyword).get("/api/_probe")
    assert response.status_code == 200
    assert response.json() == {"user": "vera"}


def test_unknown_token_is_refused(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = anon_client.get("/api/_probe")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_revoked_token_is_refused(client_for, viewer):
    client = client_for(viewer)
    tokens.revoke(viewer.api_tokens.all())
    response = client.get("/api/_probe")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This token is revoked."


def test_an_expired_token_is_refused(client_for, viewer):
    client = client_for(viewer)
    viewer.api_tokens.update(expires_at=timezone.now() + timedelta(minutes=1))
    assert client.get("/api/_probe").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # expires while it is remembered
        response = client.get("/api/_probe")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This token is expired."


def test_a_token_changed_in_this_process_is_checked_again_at_once(client_for, viewer, settings):
    settings.CT_TOKEN_CACHE_SECONDS = 3600
    client = client_for(viewer)
    assert client.get("/api/_probe").status_code == 200
    viewer.is_active = False
    viewer.save()
    assert client.get("/api/_probe").status_code == 401
    viewer.is_active = True
    viewer.save()
    assert client.get("/api/_probe").status_code == 200
    tokens.revoke(viewer.api_tokens.all())
    assert client.get("/api/_probe").json()["error"]["message"] == "This token is revoked."


def test_the_database_holds_no_usable_key(viewer):
    """Only a digest is stored: the key in the database would not authenticate anyone."""
    token = ApiToken.objects.get(user=viewer)
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert viewer.api_key not in stored
    assert token.digest == hashlib.sha256(viewer.api_key.encode()).hexdigest()
    assert tokens.find(token.digest[:40]) is None


def test_session_login_reads(viewer):
    client = APIClient()
    assert password_login(client, "vera", "vera-pass-123")
    assert client.get("/api/_probe").json() == {"user": "vera"}


def test_session_writes_need_csrf(operator):
    client = APIClient(enforce_csrf_checks=True)
    password_login(client, "otto", "otto-pass-123")
    response = client.post("/api/_probe", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_public_read_lets_anonymous_read_but_not_write(settings, anon_client):
    settings.CT_PUBLIC_READ = True
    assert anon_client.get("/api/_probe").status_code == 200
    assert anon_client.post("/api/_probe", {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize(
    "persona, status",
    [("viewer", 403), ("operator", 201), ("governance_admin", 201)],
)
def test_sample_write_needs_operator(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).post("/api/_probe", {"name": "x"}, format="json").status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [("viewer", 403), ("operator", 403), ("governance_admin", 201)],
)
def test_governance_write_needs_governance_admin(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).post("/api/_probe/admin", {"name": "x"}, format="json").status_code == status


def test_inactive_user_token_is_refused(client_for, operator):
    operator.is_active = False
    operator.save()
    assert client_for(operator).get("/api/_probe").status_code == 401
