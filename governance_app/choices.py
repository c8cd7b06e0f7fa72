"""Enumerations of the governance store (stored values are the lower-case strings)."""

from django.db import models


class Scope(models.TextChoices):
    """What an assignment targets. Resolution precedence: pipeline > team > domain > default."""

    PIPELINE = "pipeline", "Pipeline"
    TEAM = "team", "Team"
    DOMAIN = "domain", "Domain"


# Most specific first: the order in which resolution looks for an assignment.
SCOPE_PRECEDENCE = (Scope.PIPELINE, Scope.TEAM, Scope.DOMAIN)


class Profile(models.TextChoices):
    """SLA profiles; their thresholds live in governance_app.policies.PROFILES."""

    STRICT = "strict", "Strict"
    BALANCED = "balanced", "Balanced"
    RELAXED = "relaxed", "Relaxed"


class ExceptionStatus(models.TextChoices):
    NONE = "none", "None"
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class ExceptionState(models.TextChoices):
    """The live state reported per pipeline: an approved exception past its expiry is `expired`
    even before the expiry job records it; a deviation without an approved exception is `unmanaged`."""

    NONE = "none", "None"
    APPROVED = "approved", "Approved"
    UNMANAGED = "unmanaged", "Unmanaged"
    EXPIRED = "expired", "Expired"
    REJECTED = "rejected", "Rejected"


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class RunbookState(models.TextChoices):
    NONE = "none", "None"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    REMEDIATED = "remediated", "Remediated"
    WAIVED = "waived", "Waived"


class AuditAction(models.TextChoices):
    """Verbs recorded in the audit tables (each table uses the subset that applies to it)."""

    ASSIGN = "assign", "Assign"
    UPDATE = "update", "Update"
    REMOVE = "remove", "Remove"
    EXCEPTION_PROPOSE = "exception_propose", "Exception proposed"
    EXCEPTION_APPROVE = "exception_approve", "Exception approved"
    EXCEPTION_REJECT = "exception_reject", "Exception rejected"
    EXCEPTION_EXPIRE = "exception_expire", "Exception expired"
    UPSERT = "upsert", "Upsert"


class RunbookStatus(models.TextChoices):
    """Whether a pipeline's runbook URL (from telemetry) is usable."""

    CONFIGURED = "configured", "Configured"
    MISSING = "missing", "Missing"
    INVALID_FORMAT = "invalid_format", "Invalid format"


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
