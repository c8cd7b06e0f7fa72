"""Authentication (DRF token as `Token …` or `Bearer …`, plus session) and role permissions."""

from django.conf import settings
from rest_framework import authentication, exceptions, permissions

from controltower.roles import OPERATOR, has_role


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
        return self.authenticate_credentials(key)


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
