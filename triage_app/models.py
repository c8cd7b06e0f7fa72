"""Triage rules (data, edited in the admin) and assisted-mode telemetry (append-only records)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import AttemptStatus, RuleCategory, SourceSystem


def _check_regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"Not a valid regular expression: {exc}.") from exc


def _check_strings(value, *, allowed: tuple[str, ...] | None = None) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Expected a list of non-empty strings.")
    unknown = sorted(set(value) - set(allowed)) if allowed is not None else []
    if unknown:
        raise ValidationError(f"Unknown values {unknown}; use {', '.join(allowed)}.")


def validate_actions(value) -> None:
    _check_strings(value)


def validate_systems(value) -> None:
    _check_strings(value, allowed=tuple(SourceSystem.values))


class TriageRule(models.Model):
    """One error signature -> a likely cause, next actions and runbook hints.

    Rules are evaluated in `order` (then name); the first enabled rule that matches wins. A rule
    matches when its `error_code_pattern` is found in the error code or its `message_regex` in
    the message (case-insensitive `re.search`; either is enough). A rule with neither pattern is a
    catch-all — the shipped `unknown` rule, last in order. With `source_systems` set, the rule
    applies only when the run's system (pipeline platform, or recognised in the error text) is one
    of them."""

    name = models.SlugField(max_length=80, unique=True)
    order = models.PositiveIntegerField(default=100, db_index=True, help_text="Lower runs first.")
    enabled = models.BooleanField(default=True)
    category = models.CharField(max_length=32, choices=RuleCategory.choices)
    error_code_pattern = models.CharField(
        max_length=500, blank=True, validators=[_check_regex], help_text="Regex searched in the error code."
    )
    message_regex = models.TextField(
        blank=True, validators=[_check_regex], help_text="Regex searched in the message."
    )
    source_systems = models.JSONField(
        default=list, blank=True, validators=[validate_systems], help_text="Empty = any system."
    )
    likely_cause = models.TextField()
    next_actions = models.JSONField(default=list, validators=[validate_actions])
    runbook_hints = models.JSONField(default=list, blank=True, validators=[validate_actions])
    base_confidence = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    description = models.TextField(blank=True, help_text="Why the rule exists; examples of what it catches.")
    updated_at = models.DateTimeField(default=timezone.now)

    # Every save (admin edit, list edit, enable/disable, restore defaults) keeps the values it
    # replaced, the person (HistoryRequestMiddleware) and a reason: the admin's "History".
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(base_confidence__gte=0) & Q(base_confidence__lte=1),
                name="triage_rule_confidence_range",
            ),
            models.CheckConstraint(
                condition=Q(category__in=RuleCategory.values), name="triage_rule_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.name}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_catch_all(self) -> bool:
        return not (self.error_code_pattern or self.message_regex)


class AssistedAttempt(models.Model):
    """One assisted-mode answer (all its retries together): outcome, provider, error class,
    latency and token use. Written by triage_app.assisted; read-only everywhere else."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    provider = models.CharField(max_length=32, help_text="Provider name, or 'none' when none was configured.")
    model = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=AttemptStatus.choices)
    error_class = models.CharField(max_length=64, blank=True)
    tries = models.PositiveSmallIntegerField(default=0, help_text="Calls made to the provider.")
    latency_ms = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    cited_statements = models.PositiveSmallIntegerField(default=0)
    dropped_statements = models.PositiveSmallIntegerField(default=0)
    run_id = models.CharField(max_length=200, blank=True)
    pipeline_id = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="triage_attempt_status_ts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttemptStatus.values), name="triage_attempt_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.provider} {self.status}"
