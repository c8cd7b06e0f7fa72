"""Creating users with a role and a token: used by `manage.py ct_user` and the demo setup."""

from django.contrib.auth.models import Group, User
from django.db import transaction
from rest_framework.authtoken.models import Token

from .roles import ROLES


@transaction.atomic
def ensure_user(
    username: str, role: str, *, password: str | None = None, token: str | None = None, staff: bool = False
) -> tuple[User, Token]:
    """Create or update a user holding exactly `role`, with the given (or a new) token.

    Idempotent: running it again with the same arguments changes nothing."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    user, _ = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.is_staff = staff or role == "governance_admin"
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    existing = Token.objects.filter(user=user).first()
    if token and (existing is None or existing.key != token):
        Token.objects.filter(user=user).delete()
        existing = Token.objects.create(user=user, key=token)
    elif existing is None:
        existing = Token.objects.create(user=user)
    return user, existing
