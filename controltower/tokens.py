"""Issuing, finding and revoking API tokens. A key is 40 URL-safe characters; the database keeps
its SHA-256 digest (a key carries 240 bits of randomness, so an unsalted fast hash is enough: it
cannot be guessed, only stolen, and a stolen database no longer holds usable keys)."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from functools import cache

from django.contrib.auth.models import Group, User
from django.db import DEFAULT_DB_ALIAS, connections
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
    refuses), compared in constant time; None when no token has this key. Its user comes with it,
    and the user's group names (controltower.roles.group_names), read fresh on every call."""
    if not KEY_FORMAT.match(key):
        return None
    wanted = digest(key).encode()
    found = None
    for candidate in _with_users(key[:SELECTOR_LEN]):
        if hmac.compare_digest(candidate.digest.encode(), wanted):
            found = candidate
    return found


# Every API request looks its token up, so with one plain statement (token, user and the user's
# groups, a row per group) instead of the ORM's query building, which cost several times the
# statement itself. Values go through the same converters the ORM applies (aware datetimes,
# booleans on SQLite).
def _with_users(selector: str) -> list[ApiToken]:
    conn = connections[DEFAULT_DB_ALIAS]  # once: each access through `connection` is a lookup
    with conn.cursor() as cursor:
        cursor.execute(_statement(conn.vendor), [selector])
        rows = cursor.fetchall()
    by_digest: dict[str, ApiToken] = {}
    token_names, user_names = _names(ApiToken), _names(User)
    split, converters = len(token_names), _converters(conn)
    for row in rows:
        group = row[-1]
        token = by_digest.get(row[_DIGEST])
        if token is None:
            values = list(row[:-1])
            for i, convs in converters:
                values[i] = _converted(values[i], convs, conn)
            token = ApiToken.from_db(conn.alias, token_names, values[:split])
            token.user = User.from_db(conn.alias, user_names, values[split:])
            token.user._ct_group_names = set()
            by_digest[token.digest] = token
        if group is not None:
            token.user._ct_group_names.add(group)
    return list(by_digest.values())


_DIGEST = [f.attname for f in ApiToken._meta.concrete_fields].index("digest")


def _converted(value, converters: list, conn):
    for convert, col in converters:
        value = convert(value, col, conn)
    return value


_by_vendor: dict[str, list] = {}


def _converters(conn) -> list[tuple[int, list]]:
    """Per column of the statement that has any, its index and converters (the backend's, then the
    field's)."""
    if conn.vendor not in _by_vendor:
        cols = [f.get_col(m._meta.db_table) for m in (ApiToken, User) for f in m._meta.concrete_fields]
        each = [
            [(c, col) for c in conn.ops.get_db_converters(col) + col.get_db_converters(conn)] for col in cols
        ]
        _by_vendor[conn.vendor] = [(i, convs) for i, convs in enumerate(each) if convs]
    return _by_vendor[conn.vendor]


@cache
def _names(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@cache
def _statement(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def columns(model, alias: str) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)

    token, user, groups = (quote(m._meta.db_table) for m in (ApiToken, User, Group))
    through = quote(User.groups.through._meta.db_table)
    return (
        f"SELECT {columns(ApiToken, 't')}, {columns(User, 'u')}, g.{quote('name')} FROM {token} t "
        f"JOIN {user} u ON u.{quote('id')} = t.{quote('user_id')} "
        f"LEFT JOIN {through} ug ON ug.{quote('user_id')} = u.{quote('id')} "
        f"LEFT JOIN {groups} g ON g.{quote('id')} = ug.{quote('group_id')} "
        f"WHERE t.{quote('selector')} = %s"
    )


def revoke(tokens) -> int:
    """Revoke every token of the queryset still live; how many were."""
    return tokens.live().update(revoked_at=timezone.now())
