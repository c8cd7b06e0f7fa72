"""Issuing, finding and revoking API tokens. A key is 40 URL-safe characters; the database keeps
its SHA-256 digest (a key carries 240 bits of randomness, so an unsalted fast hash is enough: it
cannot be guessed, only stolen, and a stolen database no longer holds usable keys)."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from .models import ApiToken
from .roles import SCOPES

SELECTOR_LEN = 8
KEY_FORMAT = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(30)  # 40 characters


def check_scopes(scopes) -> str:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"Unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}.")
    return " ".join(sorted(set(scopes)))


def issue(
    user: User,
    *,
    name: str = "default",
    scopes=(),
    expires_at: datetime | None = None,
    key: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` and its key (the only time the key is seen). `key` lets the demo
    give every tier the same credentials."""
    key = key or new_key()
    if not KEY_FORMAT.match(key):
        raise ValueError("A token key is 20 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.")
    token = ApiToken.objects.create(
        user=user,
        name=name,
        selector=key[:SELECTOR_LEN],
        digest=digest(key),
        scopes=check_scopes(scopes),
        expires_at=expires_at,
    )
    return token, key


def find(key: str) -> ApiToken | None:
    """The token whose key this is (revoked and expired ones included: the caller says why it
    refuses), compared in constant time; None when no token has this key."""
    if not KEY_FORMAT.match(key):
        return None
    wanted = digest(key).encode()
    found = None
    for candidate in ApiToken.objects.select_related("user").filter(selector=key[:SELECTOR_LEN]):
        if hmac.compare_digest(candidate.digest.encode(), wanted):
            found = candidate
    return found


def revoke(tokens) -> int:
    """Revoke every token of the queryset still live; how many were."""
    return tokens.live().update(revoked_at=timezone.now())
