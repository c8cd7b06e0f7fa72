"""What policy assignments and DQ standards share: a scope/target, an active flag (one active row
per scope and target; removal deactivates it) and exception metadata with four eyes."""

from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .. import write_scope
from ..choices import ExceptionStatus, Scope

ACTOR_LENGTH = 150  # a username, or "system:<task>" for jobs


class GovernedQuerySet(models.QuerySet):
    """Bulk writes only inside governance_app.actions (see write_scope); create() and the
    get_or_create family go through save(), which Governed checks."""

    def update(self, **kwargs):
        write_scope.check(self.model.__name__, "update")
        return super().update(**kwargs)

    def delete(self):
        write_scope.check(self.model.__name__, "delete")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        write_scope.check(self.model.__name__, "bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        write_scope.check(self.model.__name__, "bulk_update")
        return super().bulk_update(objs, fields, batch_size)


class Governed(models.Model):
    """Abstract: a governance row, saved or deleted only inside governance_app.actions."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        write_scope.check(type(self).__name__, "save")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        write_scope.check(type(self).__name__, "delete")
        return super().delete(*args, **kwargs)


class AssignmentQuerySet(GovernedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def exceptions(self):
        return self.filter(is_active=True, is_exception=True)


class Assignment(Governed):
    """Abstract: something assigned to a pipeline, a team or a domain."""

    scope = models.CharField(max_length=16, choices=Scope.choices)
    target_id = models.CharField(max_length=200, help_text="Pipeline id, team name or domain name.")
    is_active = models.BooleanField(default=True, help_text="Removed assignments stay as inactive rows.")
    reason = models.TextField(blank=True, help_text="Why the assignment was last changed.")
    created_by = models.CharField(max_length=ACTOR_LENGTH, blank=True)
    updated_by = models.CharField(max_length=ACTOR_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Exception metadata: a deviation from the standard, proposed by one person, reviewed by another.
    is_exception = models.BooleanField(default=False)
    exception_status = models.CharField(
        max_length=16, choices=ExceptionStatus.choices, default=ExceptionStatus.NONE
    )
    exception_approved = models.GeneratedField(
        expression=Q(exception_status=ExceptionStatus.APPROVED),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    exception_reason = models.TextField(blank=True, help_text="The justification given with the proposal.")
    proposed_by = models.CharField(max_length=ACTOR_LENGTH, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    exception_reviewer = models.CharField(max_length=ACTOR_LENGTH, blank=True)
    exception_reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    exception_expires_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    waiver_template = models.TextField(blank=True, help_text="Text of the waiver the exception stands on.")

    objects = AssignmentQuerySet.as_manager()

    class Meta(Governed.Meta):
        abstract = True
        ordering = ["scope", "target_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "target_id"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_one_active",
            ),
            models.CheckConstraint(
                condition=Q(exception_reviewer="") | ~Q(exception_reviewer=F("proposed_by")),
                name="%(app_label)s_%(class)s_four_eyes",
                violation_error_message="The person who proposed an exception cannot review it (four eyes).",
            ),
            models.CheckConstraint(
                condition=Q(exception_status=ExceptionStatus.NONE) | Q(is_exception=True),
                name="%(app_label)s_%(class)s_status_needs_exception",
            ),
            models.CheckConstraint(
                condition=~Q(exception_status=ExceptionStatus.APPROVED)
                | Q(exception_expires_at__isnull=False),
                name="%(app_label)s_%(class)s_approved_expires",
            ),
            models.CheckConstraint(
                condition=~Q(exception_status__in=[ExceptionStatus.APPROVED, ExceptionStatus.REJECTED])
                | ~Q(exception_reviewer=""),
                name="%(app_label)s_%(class)s_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="%(app_label)s_%(class)s_scope_valid"
            ),
        ]
        indexes = [models.Index(fields=["target_id"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.target_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The generated column changed in the database: defer it so the next read loads it.
        self.__dict__.pop("exception_approved", None)

    def live_exception_status(self, now: datetime | None = None) -> str:
        """The exception status as of `now`: approved past its expiry reads as expired."""
        now = now or timezone.now()
        if (
            self.exception_status == ExceptionStatus.APPROVED
            and self.exception_expires_at is not None
            and self.exception_expires_at <= now
        ):
            return ExceptionStatus.EXPIRED
        return self.exception_status

    def exception_snapshot(self) -> dict:
        """The exception fields as JSON-ready values (for audit old/new values and API output)."""
        return {
            "is_exception": self.is_exception,
            "exception_status": self.exception_status,
            "exception_reason": self.exception_reason,
            "proposed_by": self.proposed_by,
            "proposed_at": _iso(self.proposed_at),
            "exception_reviewer": self.exception_reviewer,
            "exception_reviewed_at": _iso(self.exception_reviewed_at),
            "review_note": self.review_note,
            "exception_expires_at": _iso(self.exception_expires_at),
            "review_due_at": _iso(self.review_due_at),
            "waiver_template": self.waiver_template,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
