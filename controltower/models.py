"""API tokens, stored hashed (controltower.tokens issues, finds and revokes them)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .roles import SCOPES


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        """Neither revoked nor past its expiry."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer credential for a user. Only the SHA-256 digest of the key is kept: the key itself
    is shown once, when issued. `selector` (the key's first characters) finds the row; the digest
    is then compared in constant time. A token with scopes may do only what they name; without
    scopes it acts with its user's role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default", help_text="What the token is for.")
    selector = models.CharField(max_length=8, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text=f"Space-separated; empty = the user's role. Known: {', '.join(SCOPES)}.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty = does not expire.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user} · {self.name} · {self.selector}…"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
