"""Append-only audit trails. Rows are only ever inserted (by governance_app.actions); the ORM
refuses updates and deletes here, and database triggers (migration 0002) refuse them underneath."""

from django.db import models
from django.utils import timezone

from .. import write_scope
from ..choices import AuditAction
from ..errors import AppendOnlyViolation
from .base import ACTOR_LENGTH, GovernedQuerySet


class AppendOnlyQuerySet(GovernedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: update refused.")

    def delete(self):
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: delete refused.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: update refused.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: update refused.")


class AuditEvent(models.Model):
    """Abstract: one change, who made it, when, why, the value before and after, and the request."""

    action = models.CharField(max_length=32, choices=AuditAction.choices)
    scope = models.CharField(max_length=16)
    target_id = models.CharField(max_length=200)
    changed_by = models.CharField(max_length=ACTOR_LENGTH)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True, help_text="minted by the server that wrote it")
    client_request_id = models.CharField(  # db_default: rows written outside the ORM get "" too
        max_length=128, blank=True, db_default="", help_text="the caller's X-Request-ID, for correlation only"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["scope", "target_id"], name="%(class)s_tgt")]

    def __str__(self) -> str:
        when = f"{self.changed_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.action} {self.scope}:{self.target_id} by {self.changed_by}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation(f"{type(self).__name__} rows are append-only: update refused.")
        write_scope.check(type(self).__name__, "save")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(f"{type(self).__name__} rows are append-only: delete refused.")

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "action": self.action,
            "scope": self.scope,
            "target_id": self.target_id,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat().replace("+00:00", "Z"),
            "reason": self.reason,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "request_id": self.request_id,
            "client_request_id": self.client_request_id,
        }


class PolicyAuditEvent(AuditEvent):
    """History of SLA policy assignments and their exceptions."""


class DQAuditEvent(AuditEvent):
    """History of DQ standards and DQ exception reviews."""

    class Meta(AuditEvent.Meta):
        verbose_name = "DQ audit event"


class RunbookAuditEvent(AuditEvent):
    """History of runbook governance changes (scope is always `pipeline`)."""


AUDIT_MODELS = (PolicyAuditEvent, DQAuditEvent, RunbookAuditEvent)
