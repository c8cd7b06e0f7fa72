"""API tokens in the admin: issued with the key shown once, never shown again, revoked by action."""

import re

import pytest
from django.contrib.messages import get_messages

from controltower import tokens
from controltower.models import ApiToken

pytestmark = pytest.mark.django_db

ADD = "/admin/controltower/apitoken/add/"
LIST = "/admin/controltower/apitoken/"


def issue_in_admin(admin_client, user, **fields) -> str:
    form = {
        "user": user.pk,
        "name": "airflow",
        "scopes": "",
        "expires_at_0": "",
        "expires_at_1": "",
        **fields,
    }
    response = admin_client.post(ADD, form, follow=True)
    assert response.status_code == 200
    shown = [m for m in map(str, get_messages(response.wsgi_request)) if "shown again" in m]
    assert len(shown) == 1, shown
    return re.search(r"shown again: (\S+)$", shown[0]).group(1)


def test_a_token_issued_in_the_admin_works_once_shown_and_is_not_shown_again(
    admin_client, operator, anon_client
):
    key = issue_in_admin(admin_client, operator, scopes="lineage:write")
    token = tokens.find(key)
    assert (token.user, token.scopes) == (operator, "lineage:write")
    change = admin_client.get(f"{LIST}{token.pk}/change/").content.decode()
    listing = admin_client.get(LIST).content.decode()
    assert key not in change and key not in listing and token.selector in listing
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert anon_client.get("/api/pipelines").json()["error"]["code"] == "token_scope"


def test_an_unknown_scope_is_refused_by_the_form(admin_client, operator):
    response = admin_client.post(ADD, {"user": operator.pk, "name": "x", "scopes": "admin:all"})
    assert response.status_code == 200 and "Unknown scope" in response.content.decode()
    assert not ApiToken.objects.filter(name="x").exists()


def test_the_revoke_action_refuses_the_token_from_then_on(admin_client, viewer, client_for):
    client = client_for(viewer)
    assert client.get("/api/pipelines").status_code != 401
    token = ApiToken.objects.get(user=viewer)
    admin_client.post(LIST, {"action": "revoke", "_selected_action": [token.pk]})
    assert client.get("/api/pipelines").status_code == 401
    assert admin_client.post(f"{LIST}{token.pk}/delete/").status_code == 403  # revoke, never erase
