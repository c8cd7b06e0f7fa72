"""The two kinds of assignment, described once: SLA policy profiles and DQ standards. Both are set
on a pipeline, a team or a domain, removed by deactivation, and carry an exception with four eyes;
what differs is said here, so the actions, the API and the admin exist once for both."""

from collections.abc import Callable
from dataclasses import dataclass

from . import thresholds
from .choices import Profile
from .errors import InvalidInput
from .models import DQAuditEvent, DQStandard, PolicyAssignment, PolicyAuditEvent
from .models.audit import AuditEvent
from .models.base import Assignment

DQ_FIELDS = ("runbook_required", "max_breach_ratio", "max_failures_7d")


@dataclass(frozen=True)
class AssignmentKind:
    name: str  # "policy" | "dq": the register kind and the history's name
    noun: str  # for messages: "No active policy assignment for ..."
    model: type[Assignment]
    audit_model: type[AuditEvent]
    fields: tuple[str, ...]  # the values an assignment sets
    clean: Callable[[dict], dict]  # raises InvalidInput naming the field
    partial: bool  # keys left out keep their value (DQ); else every field is given (the profile)
    voids_exception_on_change: bool  # a changed profile voids the exception that approved the old one
    proposal_creates_row: bool  # proposing a DQ exception on a target without standards creates one
    changed: Callable[[], None] | None = None  # run after a change, and again on commit

    def values(self, row: Assignment) -> dict:
        return {f: getattr(row, f) for f in self.fields}


def _clean_policy(values: dict) -> dict:
    _refuse_unknown(values, ("profile",), "a policy assignment's value")
    profile = values.get("profile")
    if profile not in Profile.values:
        raise InvalidInput(
            f"profile must be one of {', '.join(Profile.values)}; got {str(profile)[:40]!r}.",
            {"field": "profile", "choices": Profile.values},
        )
    return values


def _clean_dq(values: dict) -> dict:
    _refuse_unknown(values, DQ_FIELDS, "a DQ standard")
    ratio = values.get("max_breach_ratio")
    if ratio is not None and not (isinstance(ratio, int | float) and 0 <= ratio <= 1):
        raise InvalidInput(
            "max_breach_ratio must be a number between 0 and 1.", {"field": "max_breach_ratio"}
        )
    failures = values.get("max_failures_7d")
    if failures is not None and not (
        isinstance(failures, int) and not isinstance(failures, bool) and failures >= 0
    ):
        raise InvalidInput("max_failures_7d must be a whole number >= 0.", {"field": "max_failures_7d"})
    required = values.get("runbook_required")
    if required is not None and not isinstance(required, bool):
        raise InvalidInput("runbook_required must be true, false or null.", {"field": "runbook_required"})
    return values


def _refuse_unknown(values: dict, fields: tuple[str, ...], what: str) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"{field} is not {what}; use {', '.join(fields)}.", {"field": field})


POLICY = AssignmentKind(
    name="policy",
    noun="policy assignment",
    model=PolicyAssignment,
    audit_model=PolicyAuditEvent,
    fields=("profile",),
    clean=_clean_policy,
    partial=False,
    voids_exception_on_change=True,
    proposal_creates_row=False,
    changed=thresholds.changed,
)
DQ = AssignmentKind(
    name="dq",
    noun="DQ standard",
    model=DQStandard,
    audit_model=DQAuditEvent,
    fields=DQ_FIELDS,
    clean=_clean_dq,
    partial=True,
    voids_exception_on_change=False,
    proposal_creates_row=True,
)
KINDS = {kind.name: kind for kind in (POLICY, DQ)}
