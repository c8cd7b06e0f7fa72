"""Governance store: policy assignments, DQ standards, runbook governance and their audit trails."""

from .assignments import DQStandard, PolicyAssignment
from .audit import DQAuditEvent, PolicyAuditEvent, RunbookAuditEvent
from .runbooks import RunbookGovernance

__all__ = [
    "PolicyAssignment",
    "DQStandard",
    "RunbookGovernance",
    "PolicyAuditEvent",
    "DQAuditEvent",
    "RunbookAuditEvent",
]
