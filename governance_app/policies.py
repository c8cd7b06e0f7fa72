"""SLA policy profiles as data, and each pipeline's effective profile.

Profiles (thresholds each implies):

| profile  | freshness_sla_minutes | max_duration_minutes | max_breach_ratio |
|----------|-----------------------|----------------------|------------------|
| strict   | 60                    | 30                   | 0.02             |
| balanced | 240                   | 120                  | 0.05             |
| relaxed  | 1440                  | 360                  | 0.15             |

Recommended profile from criticality: critical -> strict, high -> balanced, medium and low ->
relaxed; a pipeline without a known criticality is recommended `balanced`.

Effective profile: the most specific active assignment (pipeline > team > domain), else the
recommendation. A pipeline whose effective profile differs from its recommendation is a
*mismatch*; a mismatch without an approved, unexpired exception is *unmanaged*.

Thresholds: an assigned profile's thresholds replace the pipeline's own SLA columns
(pipelines_app.sla.sla_thresholds asks governance_app.thresholds). Without an assignment the
pipeline's own `freshness_sla_minutes` / `max_duration_minutes` and the SLA module's default
breach ratio stay in force (pipelines_app.sla.own_thresholds), and the recommendation is advice."""

from datetime import datetime

from pipelines_app.sla import SlaThresholds, own_thresholds

from .choices import Criticality, ExceptionState, ExceptionStatus, Profile
from .models import PolicyAssignment
from .resolution import ActiveAssignments

PROFILES: dict[str, SlaThresholds] = {
    Profile.STRICT: SlaThresholds(60, 30, 0.02, source=Profile.STRICT.value),
    Profile.BALANCED: SlaThresholds(240, 120, 0.05, source=Profile.BALANCED.value),
    Profile.RELAXED: SlaThresholds(1440, 360, 0.15, source=Profile.RELAXED.value),
}
PROFILE_DESCRIPTIONS = {
    Profile.STRICT: "Business-critical pipelines: fresh within the hour, short runs, almost no breaches.",
    Profile.BALANCED: "Important pipelines: fresh within four hours, runs up to two hours.",
    Profile.RELAXED: "Batch and exploratory pipelines: fresh within a day.",
}
RECOMMENDED_BY_CRITICALITY = {
    Criticality.CRITICAL: Profile.STRICT,
    Criticality.HIGH: Profile.BALANCED,
    Criticality.MEDIUM: Profile.RELAXED,
    Criticality.LOW: Profile.RELAXED,
}
UNKNOWN_CRITICALITY_PROFILE = Profile.BALANCED


def recommended_profile(criticality: str | None) -> str:
    return RECOMMENDED_BY_CRITICALITY.get((criticality or "").lower(), UNKNOWN_CRITICALITY_PROFILE)


def profile_catalog() -> list[dict]:
    recommended_for = {p: [c for c, r in RECOMMENDED_BY_CRITICALITY.items() if r == p] for p in PROFILES}
    return [
        {
            "profile": str(name),
            "description": PROFILE_DESCRIPTIONS[name],
            "thresholds": t.limits(),
            "recommended_for_criticality": [str(c) for c in recommended_for[name]],
        }
        for name, t in PROFILES.items()
    ]


def exception_state(row: PolicyAssignment | None, mismatch: bool, now: datetime) -> str:
    live = row.live_exception_status(now) if row is not None and row.is_exception else ExceptionStatus.NONE
    if live in (ExceptionStatus.APPROVED, ExceptionStatus.EXPIRED, ExceptionStatus.REJECTED):
        return str(live)
    return ExceptionState.UNMANAGED if mismatch else ExceptionState.NONE


def effective_policy(
    pipeline: dict, assignments: ActiveAssignments, now: datetime, evidence: dict | None
) -> dict:
    row = assignments.resolve(pipeline)
    recommended = recommended_profile(pipeline.get("criticality"))
    effective = row.profile if row else recommended
    mismatch = effective != recommended
    thresholds = PROFILES[row.profile] if row else own_thresholds(pipeline)
    breach_ratio = breach_ratio_for(evidence)
    return {
        "pipeline_id": pipeline["pipeline_id"],
        "pipeline_name": pipeline.get("pipeline_name"),
        "team": pipeline.get("team"),
        "domain": pipeline.get("domain"),
        "criticality": pipeline.get("criticality"),
        "recommended_profile": str(recommended),
        "assigned_profile": row.profile if row else None,
        "assigned_scope": row.scope if row else None,
        "assigned_target_id": row.target_id if row else None,
        "effective_profile": str(effective),
        "mismatch": mismatch,
        "exception_state": str(exception_state(row, mismatch, now)),
        "exception_status": row.live_exception_status(now) if row and row.is_exception else "none",
        "exception_expires_at": row.exception_expires_at if row and row.is_exception else None,
        "thresholds": thresholds.limits(),
        "thresholds_source": thresholds.source,
        "runs_7d": (evidence or {}).get("runs", 0),
        "breach_ratio_7d": breach_ratio,
        "sla_pressure": breach_ratio is not None and breach_ratio > thresholds.max_breach_ratio,
    }


def breach_ratio_for(evidence: dict | None) -> float | None:
    """Breached share of this week's finished runs (None without runs)."""
    return (evidence or {}).get("breach_ratio")


def effective_policies(pipelines: list[dict], evidence: dict[str, dict], now: datetime) -> list[dict]:
    assignments = ActiveAssignments(PolicyAssignment)
    return [effective_policy(p, assignments, now, evidence.get(p["pipeline_id"])) for p in pipelines]


def policy_summary(items: list[dict]) -> dict:
    states = [i["exception_state"] for i in items]
    return {
        "pipelines": len(items),
        "assigned": sum(1 for i in items if i["assigned_profile"]),
        "mismatches": sum(1 for i in items if i["mismatch"]),
        "sla_pressure": sum(1 for i in items if i["sla_pressure"]),
        "unmanaged_exception_count": states.count(ExceptionState.UNMANAGED),
        "approved_exception_count": states.count(ExceptionState.APPROVED),
        "expired_exception_count": states.count(ExceptionState.EXPIRED),
        "rejected_exception_count": states.count(ExceptionState.REJECTED),
        "proposed_exception_count": sum(
            1 for i in items if i["exception_status"] == ExceptionStatus.PROPOSED
        ),
        "by_effective_profile": {p: sum(1 for i in items if i["effective_profile"] == p) for p in PROFILES},
    }
