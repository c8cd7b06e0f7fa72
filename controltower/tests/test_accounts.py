"""Users with a role and a token, from the command line and for the demo."""

import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from controltower.api.auth import is_service_account
from controltower.roles import highest_role

pytestmark = pytest.mark.django_db


def test_ct_user_prints_a_working_token(capsys, anon_client):
    call_command("ct_user", "alice", "--role", "operator")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(key=key).user.username == "alice"
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon_client.get("/api/pipelines/does-not-matter/runs").status_code != 401


def test_ct_user_changes_role_and_keeps_token(capsys):
    call_command("ct_user", "bob", "--role", "viewer")
    first = capsys.readouterr().out.strip()
    call_command("ct_user", "bob", "--role", "governance_admin")
    assert capsys.readouterr().out.strip() == first
    assert highest_role(Token.objects.get(key=first).user) == "governance_admin"


def test_ct_user_rotate_token(capsys):
    call_command("ct_user", "carol", "--role", "viewer")
    first = capsys.readouterr().out.strip()
    call_command("ct_user", "carol", "--role", "viewer", "--rotate-token")
    assert capsys.readouterr().out.strip() != first
    assert not Token.objects.filter(key=first).exists()


def test_demo_users_share_credentials_across_tiers(tmp_path):
    path = tmp_path / "demo.json"
    call_command("demo_users", "--file", str(path))
    data = json.loads(path.read_text())
    assert sorted(u["role"] for u in data["users"]) == [
        "governance_admin",
        "governance_admin",
        "operator",
        "viewer",
    ]
    # A second tier reading the same file ends with the same tokens (idempotent).
    call_command("demo_users", "--file", str(path))
    assert json.loads(path.read_text()) == data
    for u in data["users"]:
        token = Token.objects.get(key=u["token"])
        assert token.user.username == u["username"]
        assert token.user.check_password(u["password"])
        assert highest_role(token.user) == u["role"]
    service = Token.objects.get(key=data["service"]["token"]).user
    assert is_service_account(service)
    assert not any(is_service_account(Token.objects.get(key=u["token"]).user) for u in data["users"])
