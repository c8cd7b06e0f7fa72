"""Creating users with a role and a token: used by `manage.py ct_user` and the demo setup."""

from django.contrib.auth.models import Group, User
from django.db import transaction
from rest_framework.authtoken.models import Token

from .api.auth import SERVICE_GROUP
from .roles import ROLES


@transaction.atomic
def ensure_user(
    username: str,
    role: str,
    *,
    password: str | None = None,
    token: str | None = None,
    service: bool = False,
) -> tuple[User, Token]:
    """Create or update a user holding exactly `role` (plus the `service` group for a control
    tier's service account, which may assert X-Acting-User), with the given (or a new) token.

    Idempotent: running it again with the same arguments changes nothing."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    user, _ = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.is_staff = role == "governance_admin" and not service
    user.save()
    names = [role, SERVICE_GROUP] if service else [role]
    user.groups.set([Group.objects.get_or_create(name=n)[0] for n in names])
    existing = Token.objects.filter(user=user).first()
    if token and (existing is None or existing.key != token):
        Token.objects.filter(user=user).delete()
        existing = Token.objects.create(user=user, key=token)
    elif existing is None:
        existing = Token.objects.create(user=user)
    return user, existing
