"""Creating users with a role and a token: used by `manage.py ct_user` and the demo setup."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from . import tokens
from .api.auth import SERVICE_GROUP
from .models import ApiToken
from .roles import ROLES


@transaction.atomic
def ensure_user(
    username: str,
    role: str,
    *,
    password: str | None = None,
    token: str | None = None,
    service: bool = False,
) -> tuple[User, str | None]:
    """Create or update a user holding exactly `role` (plus the `service` group for a control
    tier's service account, which may act for the people it names), with an API token.

    Returns the user and the key of a token issued now (None when a live token was kept: keys are
    stored hashed, so an existing one cannot be shown again). With `token`, that key becomes the
    user's default token. Idempotent: running it again with the same arguments changes nothing."""
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
    defaults = ApiToken.objects.filter(user=user, name="default")
    if token:
        found = tokens.find(token)
        if found and found.user_id != user.pk:
            raise ValueError(f"That key is already another user's token, not {username}'s.")
        if found:  # the demo's credentials file names this key: it stays (or becomes again) live
            ApiToken.objects.filter(pk=found.pk).update(revoked_at=None, expires_at=None)
            tokens.forget()
            return user, None
        tokens.revoke(defaults)
        return user, tokens.issue(user, key=token)[1]
    if defaults.live().exists():
        return user, None
    return user, tokens.issue(user)[1]
