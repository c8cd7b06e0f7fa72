"""Issuing, finding and revoking API tokens. A key is 40 URL-safe characters; the database keeps
its SHA-256 digest (a key carries 240 bits of randomness, so an unsalted fast hash is enough: it
cannot be guessed, only stolen, and a stolen database no longer holds usable keys)."""

import hashlib
import hmac
import re
import secrets
import threading
import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import ApiToken
from .roles import SCOPES, group_names

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
    revoked = tokens.live().update(revoked_at=timezone.now())
    forget()
    return revoked


# Tokens that authenticated a request lately, by key digest: (until, token with its user and groups).
# A busy producer sends hundreds of requests a second with one key; reading its token, user and
# groups once per CT_TOKEN_CACHE_SECONDS instead of per request halves an ingest request's cost.
_recent: dict[str, tuple[float, ApiToken]] = {}
_recent_lock = threading.Lock()
MAX_RECENT = 10_000


def authenticating(key: str) -> ApiToken | None:
    """find(key) for authenticating a request: a token found within the last CT_TOKEN_CACHE_SECONDS
    is answered from this process's memory (the same objects, with its user and groups, shared by
    the requests that present it: read them, never change them; the expiry is still checked per
    request by `state`). Revoking, or saving a token, a user or their groups, in this
    process forgets them at once; done in another process, it takes effect within the window."""
    ttl = settings.CT_TOKEN_CACHE_SECONDS
    if ttl <= 0 or not KEY_FORMAT.match(key):
        return find(key)
    wanted, now = digest(key), time.monotonic()
    hit = _recent.get(wanted)
    if hit is not None and hit[0] > now:
        return hit[1]
    token = find(key)
    if token is not None:
        group_names(token.user)  # read now, kept on the user with the token
        with _recent_lock:
            if len(_recent) >= MAX_RECENT:
                _recent.clear()
            _recent[wanted] = (now + ttl, token)
    return token


def forget(**_) -> None:
    with _recent_lock:
        _recent.clear()


post_save.connect(forget, sender=ApiToken, dispatch_uid="tokens.forget.token_saved")
post_delete.connect(forget, sender=ApiToken, dispatch_uid="tokens.forget.token_deleted")
post_save.connect(forget, sender=User, dispatch_uid="tokens.forget.user_saved")
post_delete.connect(forget, sender=User, dispatch_uid="tokens.forget.user_deleted")
m2m_changed.connect(forget, sender=User.groups.through, dispatch_uid="tokens.forget.groups_changed")
