"""Audited writes (Zulip-style verbs). Each runs in one transaction that makes the change and
appends its audit row, with the actor, the reason and the request id. The API, the admin and the
jobs all call these functions: one path, one audit. Governance rows refuse writes from anywhere
else (governance_app.write_scope).

Assignments of either kind (governance_app.kinds: POLICY, DQ) share the verbs:

    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor=user, reason="...")
    actions.propose_exception(DQ, "pipeline", "p1", actor=user, reason="...", expires_at=...)
"""

from .assignments import assign, propose_exception, remove, review_exception
from .jobs import expire_exceptions
from .runbooks import remove_runbook_governance, upsert_runbook_governance

__all__ = [
    "assign",
    "remove",
    "propose_exception",
    "review_exception",
    "upsert_runbook_governance",
    "remove_runbook_governance",
    "expire_exceptions",
]
