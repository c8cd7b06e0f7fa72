"""What leaves the building: the executive report (a director's page) and the export bundle
(everything an auditor asks for, in one JSON document)."""

from datetime import datetime, timedelta

from django.conf import settings

from . import policies, registers
from .api.serializers import (
    AuditEventSerializer,
    DQStandardSerializer,
    PolicyAssignmentSerializer,
    RunbookGovernanceSerializer,
)
from .choices import AuditAction, ExceptionState
from .dq import BASELINE
from .models import (
    DQAuditEvent,
    DQStandard,
    PolicyAssignment,
    PolicyAuditEvent,
    RunbookAuditEvent,
    RunbookGovernance,
)
from .posture import posture
from .scorecards import team_scorecards
from .snapshot import Snapshot

AUDIT_MODELS = {"policy": PolicyAuditEvent, "dq": DQAuditEvent, "runbook": RunbookAuditEvent}
RISK_LIMIT = 8


def _changes(start: datetime, end: datetime) -> dict:
    counts = {
        kind: m.objects.filter(changed_at__gte=start, changed_at__lt=end).count()
        for kind, m in AUDIT_MODELS.items()
    }
    for action in (
        AuditAction.EXCEPTION_PROPOSE,
        AuditAction.EXCEPTION_APPROVE,
        AuditAction.EXCEPTION_REJECT,
        AuditAction.EXCEPTION_EXPIRE,
    ):
        counts[str(action)] = sum(
            m.objects.filter(changed_at__gte=start, changed_at__lt=end, action=action).count()
            for m in (PolicyAuditEvent, DQAuditEvent)
        )
    return counts


def top_risks(snap: Snapshot, cards: list[dict]) -> list[dict]:
    """The few things a director should hear about, most severe first."""
    risks = []
    for item in snap.dq_items:
        if item["status"] == "fail" and item["criticality"] == "critical":
            risks.append(
                {
                    "severity": "high",
                    "kind": "critical_pipeline_failing_dq",
                    "subject": item["pipeline_id"],
                    "detail": f"fails {', '.join(item['failing_standards'])}",
                }
            )
    for item in snap.policy_items:
        if item["exception_state"] in (ExceptionState.UNMANAGED, ExceptionState.EXPIRED) and item[
            "criticality"
        ] in ("critical", "high"):
            risks.append(
                {
                    "severity": "high" if item["criticality"] == "critical" else "medium",
                    "kind": f"{item['exception_state']}_policy_exception",
                    "subject": item["pipeline_id"],
                    "detail": f"runs {item['effective_profile']}, recommended {item['recommended_profile']}",
                }
            )
    for card in cards:
        if card["grade"] in ("D", "F"):
            risks.append(
                {
                    "severity": "medium",
                    "kind": "low_team_score",
                    "subject": card["team"],
                    "detail": f"score {card['score']} ({card['grade']})",
                }
            )
    for entry in registers.review_queue(snap.now):
        if entry["due_state"] == "overdue":
            risks.append(
                {
                    "severity": "medium",
                    "kind": "overdue_review",
                    "subject": f"{entry['scope']}:{entry['target_id']}",
                    "detail": f"{entry['kind']} exception review was due {entry['review_due_at']:%Y-%m-%d}",
                }
            )
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(risks, key=lambda r: (order[r["severity"]], r["kind"], r["subject"]))[:RISK_LIMIT]


def executive_report(snap: Snapshot, days: int = 7) -> dict:
    now = snap.now
    state = posture(snap)
    cards = team_scorecards(snap)
    current = _changes(now - timedelta(days=days), now)
    previous = _changes(now - timedelta(days=2 * days), now - timedelta(days=days))
    return {
        "title": "Data platform governance — executive summary",
        "period": {"start": now - timedelta(days=days), "end": now, "days": days},
        "headline": {
            "posture_score": state["posture_score"],
            "grade": state["grade"],
            "pipelines": state["pipelines"],
            "dq_pass_ratio": round(1 - state["dq"]["failing"] / state["pipelines"], 4)
            if state["pipelines"]
            else None,
            "runbook_coverage": state["runbooks"]["coverage_ratio"],
            "ownership_ratio": state["ownership_ratio"],
            "policy_mismatches": state["policy"]["mismatches"],
            "unmanaged_exceptions": state["policy"]["unmanaged_exception_count"],
            "overdue_reviews": state["reviews"]["overdue"],
            "breach_ratio_7d": state["sla"]["breach_ratio_7d"],
            "breach_trend": state["sla"]["trend"],
            "cost_anomalies_7d": state["cost_anomalies_7d"],
        },
        "top_risks": top_risks(snap, cards),
        "changes_since_last_period": {
            "current": current,
            "previous": previous,
            "delta": {k: current[k] - previous[k] for k in current},
        },
        "weakest_teams": cards[:5],
        "generated_at": now,
    }


def export_bundle(now: datetime, snap: Snapshot | None, telemetry_error: str | None) -> dict:
    """Every governance record and history, plus the telemetry-derived views when the warehouse
    answers (`degraded` says when it did not)."""

    def history(model):
        return AuditEventSerializer(model.objects.order_by("changed_at", "id"), many=True).data

    return {
        "bundle_version": 1,
        "generated_at": now,
        "build": {
            "build_id": settings.BUILD_ID,
            "git_sha": settings.GIT_SHA,
            "release_tag": settings.RELEASE_TAG,
        },
        "degraded": snap is None,
        "telemetry_error": telemetry_error,
        "profiles": policies.profile_catalog(),
        "recommended_by_criticality": {
            str(k): str(v) for k, v in policies.RECOMMENDED_BY_CRITICALITY.items()
        },
        "dq_baseline": BASELINE,
        "policy_assignments": PolicyAssignmentSerializer(
            PolicyAssignment.objects.order_by("id"), many=True
        ).data,
        "dq_standards": DQStandardSerializer(DQStandard.objects.order_by("id"), many=True).data,
        "runbook_governance": RunbookGovernanceSerializer(
            RunbookGovernance.objects.order_by("pipeline_id"), many=True
        ).data,
        "exceptions": {k: registers.register(k, now, include_inactive=True) for k in registers.KINDS},
        "review_queue": registers.review_queue(now),
        "history": {kind: history(model) for kind, model in AUDIT_MODELS.items()},
        "effective_policies": snap.policy_items if snap else None,
        "dq_effective": snap.dq_items if snap else None,
        "runbook_catalog": snap.runbook_entries if snap else None,
        "scorecards": team_scorecards(snap) if snap else None,
        "posture": posture(snap) if snap else None,
    }
