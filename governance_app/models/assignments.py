"""The two kinds of assignment: SLA policy profiles and DQ standards."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ..choices import Profile
from .base import Assignment


class PolicyAssignment(Assignment):
    """An SLA profile (strict / balanced / relaxed) assigned to a pipeline, a team or a domain.
    A pipeline's effective profile comes from the most specific active assignment, else from the
    recommendation for its criticality (governance_app.policies)."""

    profile = models.CharField(max_length=16, choices=Profile.choices)

    class Meta(Assignment.Meta):
        constraints = [
            *Assignment.Meta.constraints,
            models.CheckConstraint(
                condition=Q(profile__in=Profile.values), name="governance_policy_profile_valid"
            ),
        ]

    def snapshot(self) -> dict:
        return {
            "scope": self.scope,
            "target_id": self.target_id,
            "profile": self.profile,
            **self.exception_snapshot(),
        }


class DQStandard(Assignment):
    """Data-quality standard values set for a pipeline, a team or a domain. Each value left empty
    is inherited from the next less specific level, down to the baseline in governance_app.dq."""

    runbook_required = models.BooleanField(null=True, blank=True)
    max_breach_ratio = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    max_failures_7d = models.PositiveIntegerField(null=True, blank=True)

    class Meta(Assignment.Meta):
        verbose_name = "DQ standard"
        constraints = [
            *Assignment.Meta.constraints,
            models.CheckConstraint(
                condition=Q(max_breach_ratio__isnull=True)
                | Q(max_breach_ratio__gte=0, max_breach_ratio__lte=1),
                name="governance_dq_breach_ratio_range",
            ),
        ]

    def standard_values(self) -> dict:
        return {
            "runbook_required": self.runbook_required,
            "max_breach_ratio": self.max_breach_ratio,
            "max_failures_7d": self.max_failures_7d,
        }

    def snapshot(self) -> dict:
        return {
            "scope": self.scope,
            "target_id": self.target_id,
            **self.standard_values(),
            **self.exception_snapshot(),
        }
