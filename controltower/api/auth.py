"""Authentication (API tokens as `Token …` or `Bearer …`, plus session) and role permissions.

A control tier calls sources with a service account's token (a user in the "service" group) and
names the person it acts for in `X-Acting-User`. The source does not take that name on trust: it
resolves it to one of its own users, refuses the request when there is no such active user, and
from then on the request is that person's (`request.user`), limited by the service account's own
role (`request.service_account`). Audit rows and four-eyes checks therefore compare verified
local identities. From anyone but a service account the header is ignored."""

import re

from django.conf import settings
from django.contrib.auth.models import User
from rest_framework import authentication, exceptions, permissions

from controltower import tokens
from controltower.roles import OPERATOR, group_names, has_role

from .errors import ApiError

SERVICE_GROUP = "service"
ACTING_USER_HEADER = "X-Acting-User"
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


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


def verified_acting_user(username: str) -> User:
    """This deployment's active user of that name, or a 403 naming the problem."""
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        state = "no account" if user is None else "an inactive account"
        raise ApiError(
            403,
            "acting_user_refused",
            f"The control tier acts for '{username}', who has {state} on this deployment; "
            "nothing was done. An administrator of this deployment must create or reactivate them.",
            {"acting_user": username},
        )
    return user


def acting_username(request) -> str:
    """Who audit rows should name: the verified person a service account acts for, else the caller."""
    user = getattr(request, "user", None)
    return user.get_username() if user and user.is_authenticated else ""


class TokenOrBearerAuthentication(authentication.BaseAuthentication):
    """API tokens (controltower.tokens), with the `Token` or `Bearer` keyword (OpenLineage clients
    send the latter)."""

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
        claimed = asserted_acting_user(request, user)
        if claimed:
            request.service_account = request._request.service_account = user
            user = verified_acting_user(claimed)
        return user, token

    def authenticate_credentials(self, key: str):
        token = tokens.authenticating(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.state != "active":
            raise exceptions.AuthenticationFailed(f"This token is {token.state}.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class RolePermission(permissions.BasePermission):
    """Reads need a login (or CT_PUBLIC_READ); writes need the view's `write_role` (operator by
    default), held by the caller and, when a service account acts for them, by that account too.
    A scoped token may only use views that declare one of its scopes (`token_scope`)."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        if getattr(view, "public", False):
            return True
        self._check_token_scope(request, view)
        if request.method in permissions.SAFE_METHODS:
            if settings.CT_PUBLIC_READ:
                return True
            if not (request.user and request.user.is_authenticated):
                raise exceptions.NotAuthenticated()
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        needed = getattr(view, "write_role", OPERATOR)
        service = getattr(request, "service_account", None)
        if not has_role(request.user, needed):
            if service is not None:  # the person's role here, not the control tier's token, falls short
                raise ApiError(
                    403,
                    "acting_user_refused",
                    f"'{request.user.get_username()}' does not hold the '{needed}' role on this "
                    "deployment, which this action needs; nothing was done.",
                    {"acting_user": request.user.get_username(), "needed_role": needed},
                )
            self.message = f"This action needs the '{needed}' role."
            return False
        if service is not None and not has_role(service, needed):
            self.message = f"This deployment's service account lacks the '{needed}' role this action needs."
            return False
        return True

    @staticmethod
    def _check_token_scope(request, view) -> None:
        scopes = getattr(request.auth, "scope_set", None)
        if not scopes:
            return
        wanted = getattr(view, "token_scope", None)
        if wanted not in scopes or request.method in permissions.SAFE_METHODS:
            raise ApiError(
                403,
                "token_scope",
                f"This token may only be used for {', '.join(sorted(scopes))}.",
                {"token_scopes": sorted(scopes), "needed": wanted},
            )
