"""Records of the control tier's scheduled jobs: smoke runs with their checks, and the cost
anomalies the hourly refresh has seen. Written by aggregate_app.jobs; read in the admin and the
diagnostics view."""

from django.db import models
from django.db.models import Q


class SmokeRun(models.Model):
    """One run of a smoke contract against one target. Scheduled runs are unique per
    (contract, target, window): a rerun in the same window records nothing new."""

    class Contract(models.TextChoices):
        API = "api", "API"
        UI = "ui", "UI"

    class Status(models.TextChoices):
        PASS = "PASS", "Pass"
        FAIL = "FAIL", "Fail"

    class AlertKind(models.TextChoices):
        NONE = "", "None"
        FAILURE = "failure", "Failure"
        RECOVERY = "recovery", "Recovery"

    contract = models.CharField(max_length=8, choices=Contract.choices)
    target_name = models.CharField(max_length=64, help_text="A source name, or 'ui' for the control tier.")
    target_url = models.CharField(max_length=300)
    window_start = models.DateTimeField(null=True, blank=True, help_text="Schedule window start.")
    status = models.CharField(max_length=4, choices=Status.choices)
    checks_total = models.PositiveSmallIntegerField(default=0)
    checks_failed = models.PositiveSmallIntegerField(default=0)
    failed_checks = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    alert_kind = models.CharField(max_length=10, choices=AlertKind.choices, default="", blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["contract", "target_name", "-started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "target_name", "window_start"],
                condition=Q(window_start__isnull=False),
                name="aggregate_smoke_one_run_per_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} smoke on {self.target_name} {self.status} ({self.started_at:%Y-%m-%d %H:%M})"


class SmokeCheck(models.Model):
    """One named check of a smoke run, PASS or FAIL with its reason."""

    run = models.ForeignKey(SmokeRun, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    status = models.CharField(max_length=4, choices=SmokeRun.Status.choices)
    reason = models.TextField(blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="aggregate_smoke_check_position"),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.name}"


class CostAnomalyRecord(models.Model):
    """A pipeline's cost anomaly in one source, from first sighting until it is gone. At most one
    record per (source, pipeline) is not resolved; a later reappearance opens a new record."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    source = models.CharField(max_length=64)
    pipeline_id = models.CharField(max_length=200)
    pipeline_name = models.CharField(max_length=300, blank=True)
    team = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    usage_date = models.DateField(help_text="The usage day the anomaly was last measured on.")
    severity = models.CharField(max_length=16, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    robust_z = models.FloatField(null=True, blank=True)
    latest_cost_aud = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_median_aud = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    delta_aud = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["status", "source"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "pipeline_id"],
                condition=~Q(status="resolved"),
                name="aggregate_one_live_cost_anomaly",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.pipeline_id} cost anomaly ({self.status})"
