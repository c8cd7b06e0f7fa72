from django.db import models
from django.utils import timezone

from ..choices import RunbookState
from .base import ACTOR_LENGTH, Governed, GovernedQuerySet


class RunbookGovernance(Governed):
    """Where a pipeline's runbook stands in its lifecycle (none / open / in_progress / remediated /
    waived), who owns the work, and notes. The runbook URL itself lives in telemetry (PIPELINES)."""

    pipeline_id = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=16, choices=RunbookState.choices, default=RunbookState.NONE)
    owner = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    updated_by = models.CharField(max_length=ACTOR_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = GovernedQuerySet.as_manager()

    class Meta(Governed.Meta):
        ordering = ["pipeline_id"]
        verbose_name = "runbook governance"
        verbose_name_plural = "runbook governance"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RunbookState.values), name="governance_runbook_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pipeline_id} ({self.state})"

    def snapshot(self) -> dict:
        return {
            "pipeline_id": self.pipeline_id,
            "state": self.state,
            "owner": self.owner,
            "notes": self.notes,
        }
