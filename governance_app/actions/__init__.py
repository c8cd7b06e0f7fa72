"""Audited writes (Zulip-style verbs). Each runs in one transaction that makes the change and
appends its audit row, with the actor, the reason and the request id. The API, the admin and the
jobs all call these functions: one path, one audit."""

from .dq import propose_dq_exception, remove_dq_standard, review_dq_exception, upsert_dq_standard
from .jobs import expire_exceptions
from .policies import assign_profile, propose_exception, remove_assignment, review_exception
from .runbooks import remove_runbook_governance, upsert_runbook_governance

__all__ = [
    "assign_profile",
    "remove_assignment",
    "propose_exception",
    "review_exception",
    "upsert_dq_standard",
    "remove_dq_standard",
    "propose_dq_exception",
    "review_dq_exception",
    "upsert_runbook_governance",
    "remove_runbook_governance",
    "expire_exceptions",
]
