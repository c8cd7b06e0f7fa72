"""Roles are Django groups, ordered: a higher role can do everything a lower one can."""

from django.contrib.auth.models import AnonymousUser, User

VIEWER = "viewer"
OPERATOR = "operator"
GOVERNANCE_ADMIN = "governance_admin"
ROLES = (VIEWER, OPERATOR, GOVERNANCE_ADMIN)
# A token with scopes may do only what they name (views declare `token_scope`), whatever its
# user's role; a token without scopes acts with the role.
LINEAGE_WRITE = "lineage:write"
SCOPES = {LINEAGE_WRITE: "POST OpenLineage events, nothing else"}


def group_names(user: User) -> set[str]:
    """The user's group names, read once per user object (a request's user)."""
    names = getattr(user, "_ct_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._ct_group_names = names
    return names


def role_rank(user: User | AnonymousUser) -> int:
    """0 for no role, 1 viewer, 2 operator, 3 governance_admin (superusers rank highest)."""
    if not user or not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return len(ROLES)
    return max((ROLES.index(n) + 1 for n in group_names(user) if n in ROLES), default=0)


def has_role(user: User | AnonymousUser, minimum: str) -> bool:
    return role_rank(user) >= ROLES.index(minimum) + 1


def highest_role(user: User | AnonymousUser) -> str | None:
    rank = role_rank(user)
    return ROLES[min(rank, len(ROLES)) - 1] if rank else None
