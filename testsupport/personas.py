"""Personas shared by every app's tests: viewer, operator, governance_admin (two, for four eyes),
and anonymous. Each has an API token whose key is `user.api_key` (keys are stored hashed: this is
the only copy); `client_for(user)` gives a DRF client authenticated with it."""

import pytest
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from rest_framework.test import APIClient

from controltower import tokens

# The personas' usernames and roles, so live deployments can hold the same accounts (a source
# verifies the person a control tier acts for against its own users).
ACCOUNTS = (
    ("vera", "viewer"),
    ("otto", "operator"),
    ("gina", "governance_admin"),
    ("gus", "governance_admin"),
)

__all__ = [
    "ACCOUNTS",
    "make_user",
    "viewer",
    "operator",
    "governance_admin",
    "governance_admin_2",
    "anon_client",
    "client_for",
    "password_login",
]


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-pass-123")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    user.api_key = tokens.issue(user)[1]
    return user


def password_login(client, username: str, password: str) -> bool:
    """`client.login` with a request, as a sign-in form passes one: the lockout (django-axes)
    refuses to judge a sign-in without one."""
    return client.login(request=HttpRequest(), username=username, password=password)


@pytest.fixture
def viewer(db):
    return make_user("vera", "viewer")


@pytest.fixture
def operator(db):
    return make_user("otto", "operator")


@pytest.fixture
def governance_admin(db):
    return make_user("gina", "governance_admin")


@pytest.fixture
def governance_admin_2(db):
    return make_user("gus", "governance_admin")


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def client_for(db):
    def build(user: User | None, keyword: str = "Token") -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"{keyword} {user.api_key}")
        return client

    return build
