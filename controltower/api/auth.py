"""Authentication (DRF token as `Token …` or `Bearer …`, plus session) and role permissions.

A control tier calls sources with a service account's token (a user in the "service" group) and
names the person it acts for in `X-Acting-User`; only then does `request.acting_user` become that
name, so audit rows record the real person. From anyone else the header is ignored."""

import hmac
import re

from django.conf import settings
from rest_framework import authentication, exceptions, permissions

from controltower.roles import OPERATOR, group_names, has_role

SERVICE_GROUP = "service"
ACTING_USER_HEADER = "X-Acting-User"
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
# Tokens are found by their first characters and the whole key is then compared in constant time
# (hmac.compare_digest): a database equality lookup on the full key could, in principle, leak how
# much of a guess matched through its timing. The selector gives away at most 8 of 40 hex digits.
SELECTOR_LEN = 8
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,40}$")  # what ct_user and demo_users issue; Token.key holds 40


def is_service_account(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return SERVICE_GROUP in group_names(user)


def asserted_acting_user(request, user) -> str | None:
    """The `X-Acting-User` a service account asserts (a valid username), else None."""
    claimed = request.headers.get(ACTING_USER_HEADER, "").strip()
    if claimed and _USERNAME.match(claimed) and is_service_account(user):
        return claimed
    return None


def acting_username(request) -> str:
    """Who audit rows should name: the acting user a service account asserted, else the caller."""
    acting = getattr(request, "acting_user", None)
    if acting:
        return acting
    user = getattr(request, "user", None)
    return user.get_username() if user and user.is_authenticated else ""


class TokenOrBearerAuthentication(authentication.TokenAuthentication):
    """DRF's token auth, also accepting the `Bearer` keyword that OpenLineage clients send."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if not auth or auth[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected '<Token|Bearer> <key>'.")
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token header: the key has invalid characters.")
        user, token = self.authenticate_credentials(key)
        request.acting_user = request._request.acting_user = asserted_acting_user(request, user)
        return user, token

    def authenticate_credentials(self, key: str):
        if not _KEY.match(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        model = self.get_model()
        candidates = model.objects.select_related("user").filter(key__startswith=key[:SELECTOR_LEN])
        token = None
        for candidate in candidates:
            if hmac.compare_digest(candidate.key.encode(), key.encode()):
                token = candidate
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token


class RolePermission(permissions.BasePermission):
    """Reads need a login (or CT_PUBLIC_READ); writes need the view's `write_role` (operator by default)."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        if getattr(view, "public", False):
            return True
        if request.method in permissions.SAFE_METHODS:
            if settings.CT_PUBLIC_READ:
                return True
            if not (request.user and request.user.is_authenticated):
                raise exceptions.NotAuthenticated()
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        needed = getattr(view, "write_role", OPERATOR)
        if not has_role(request.user, needed):
            self.message = f"This action needs the '{needed}' role."
            return False
        return True
