"""Users with a role and a token, from the command line and for the demo; tokens stored hashed,
scoped, expiring and revocable."""

import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from controltower import tokens
from controltower.api.auth import is_service_account
from controltower.models import ApiToken
from controltower.roles import highest_role

pytestmark = pytest.mark.django_db


def user_of(key: str):
    token = tokens.find(key)
    return token.user if token and token.state == "active" else None


def test_ct_user_prints_a_working_token(capsys, anon_client):
    call_command("ct_user", "alice", "--role", "operator")
    key = capsys.readouterr().out.strip()
    assert user_of(key).username == "alice"
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon_client.get("/api/pipelines/does-not-matter/runs").status_code != 401


def test_ct_user_changes_role_and_keeps_token(capsys):
    call_command("ct_user", "bob", "--role", "viewer")
    first = capsys.readouterr().out.strip()
    call_command("ct_user", "bob", "--role", "governance_admin")
    out = capsys.readouterr()
    assert out.out == ""  # an existing key cannot be shown again: it is stored hashed
    assert "unchanged" in out.err
    assert highest_role(user_of(first)) == "governance_admin"


def test_ct_user_rotate_token(capsys):
    call_command("ct_user", "carol", "--role", "viewer")
    first = capsys.readouterr().out.strip()
    call_command("ct_user", "carol", "--role", "viewer", "--rotate-token")
    second = capsys.readouterr().out.strip()
    assert second and second != first
    assert user_of(first) is None
    assert user_of(second).username == "carol"


def test_ct_user_issues_a_scoped_expiring_token_and_revokes_it(capsys, anon_client):
    call_command("ct_user", "producer", "--role", "operator")
    capsys.readouterr()
    call_command(
        "ct_user", "producer", "--new-token", "airflow", "--scope", "lineage:write", "--expires-in-days", "30"
    )
    key = capsys.readouterr().out.strip()
    token = tokens.find(key)
    assert (token.name, token.scopes, token.state) == ("airflow", "lineage:write", "active")
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    call_command("ct_user", "producer", "--list")
    listed = capsys.readouterr().out
    assert "airflow" in listed and "lineage:write" in listed and key not in listed
    call_command("ct_user", "producer", "--revoke", "airflow")
    capsys.readouterr()
    assert tokens.find(key).state == "revoked"
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert anon_client.post("/api/v1/lineage", {}, format="json").status_code == 401


def test_ct_user_refuses_an_unknown_scope_and_a_stray_scope(capsys):
    call_command("ct_user", "dan", "--role", "viewer")
    with pytest.raises(CommandError):
        call_command("ct_user", "dan", "--new-token", "x", "--scope", "admin:everything")
    with pytest.raises(CommandError, match="--new-token"):
        call_command("ct_user", "dan", "--scope", "lineage:write")
    with pytest.raises(CommandError, match="--new-token"):
        call_command("ct_user", "eve", "--role", "viewer", "--expires-in-days", "3")
    with pytest.raises(CommandError, match="need --role"):
        call_command("ct_user", "dan", "--rotate-token")
    assert ApiToken.objects.filter(user__username="dan").count() == 1
    assert not ApiToken.objects.filter(user__username="eve").exists()  # refused before any change


def test_demo_users_share_credentials_across_tiers(tmp_path):
    path = tmp_path / "demo.json"
    call_command("demo_users", "--file", str(path))
    data = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # passwords and tokens: the owner's only
    assert sorted(u["role"] for u in data["users"]) == [
        "governance_admin",
        "governance_admin",
        "operator",
        "viewer",
    ]
    # A second tier reading the same file ends with the same tokens (idempotent).
    call_command("demo_users", "--file", str(path))
    assert json.loads(path.read_text()) == data
    assert ApiToken.objects.count() == len(data["users"]) + 1
    for u in data["users"]:
        user = user_of(u["token"])
        assert user.username == u["username"]
        assert user.check_password(u["password"])
        assert highest_role(user) == u["role"]
    assert is_service_account(user_of(data["service"]["token"]))
    assert not any(is_service_account(user_of(u["token"])) for u in data["users"])
