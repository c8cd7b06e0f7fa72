"""Policy endpoints: profiles, assign / remove, effective, history (+ export), exceptions register,
review queue, and exception review."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import filterset_parameters, parse_query

from ... import policies, registers, shared_reads
from ...choices import Scope
from ...filtersets import AuditEventFilterSet
from ...kinds import POLICY
from ...models import PolicyAssignment, PolicyAuditEvent
from ..query import ExportQuery, PolicyEffectiveQuery, ReviewQueueQuery
from ..responses import (
    AuditExportSerializer,
    PolicyEffectivePageSerializer,
    PolicyExceptionRegisterSerializer,
    ProfilesSerializer,
    ReviewQueueSerializer,
)
from ..serializers import AssignSerializer, PolicyAssignmentSerializer
from . import assignments
from .base import ExportView, HistoryView, attribute_filter, export_responses, filtered, paged

HISTORY_COLUMNS = [
    "id",
    "changed_at",
    "action",
    "scope",
    "target_id",
    "changed_by",
    "reason",
    "request_id",
    "client_request_id",
    "old_value",
    "new_value",
]


class ProfilesView(APIView):
    """The SLA profiles with their thresholds, the recommendation rule, and active assignments."""

    @extend_schema(responses=ProfilesSerializer)
    def get(self, request):
        assignments = PolicyAssignment.objects.active().order_by("scope", "target_id")
        return Response(
            {
                "items": policies.profile_catalog(),
                "total": len(policies.PROFILES),
                "recommended_by_criticality": {
                    str(k): str(v) for k, v in policies.RECOMMENDED_BY_CRITICALITY.items()
                },
                "unknown_criticality_profile": str(policies.UNKNOWN_CRITICALITY_PROFILE),
                "precedence": [str(s) for s in (Scope.PIPELINE, Scope.TEAM, Scope.DOMAIN)] + ["default"],
                "assignments": PolicyAssignmentSerializer(assignments, many=True).data,
            }
        )


class AssignView(assignments.AssignView):
    """Assign a profile. With `is_exception: true` (or `exception_status: proposed`) the assignment
    is also proposed as an exception; `exception_status: approved|rejected` reviews a proposed one."""

    kind, serializer_class = POLICY, AssignSerializer


class RemoveView(assignments.RemoveView):
    """Remove the profile assigned to a pipeline, team or domain (the row stays, inactive, in the
    history); the target falls back to the next level."""

    kind = POLICY


class ExceptionReviewView(assignments.ExceptionReviewView):
    """Approve or reject a proposed policy exception (four eyes: not by its proposer)."""

    kind = POLICY


class EffectiveView(APIView):
    """Per pipeline: recommended, assigned and effective profile, mismatch, exception state.
    Filters: pipeline_id, team, domain, criticality, exception_state, mismatch; offset/limit."""

    @extend_schema(parameters=[PolicyEffectiveQuery], responses=PolicyEffectivePageSerializer)
    def get(self, request):
        query = parse_query(request, PolicyEffectiveQuery)
        state, mismatch = query["exception_state"], query["mismatch"]
        evaluation = shared_reads.evaluation()
        items = attribute_filter(query, evaluation.policy_items)
        summary = policies.policy_summary(items)
        if state:
            items = [i for i in items if i["exception_state"] == state]
        if mismatch is not None:
            items = [i for i in items if i["mismatch"] == mismatch]
        return Response(paged(query, items, summary=summary, generated_at=evaluation.now))


class PolicyHistoryView(HistoryView):
    audit_model = PolicyAuditEvent


@extend_schema_view(
    get=extend_schema(
        parameters=[ExportQuery, *filterset_parameters(AuditEventFilterSet)],
        responses=export_responses(AuditExportSerializer),
    )
)
class PolicyHistoryExportView(ExportView):
    """Policy history as JSON or CSV. Columns: id, changed_at, action, scope, target_id, changed_by,
    reason, request_id, old_value, new_value (JSON text in CSV). Same filters as /history."""

    filename = "policy-history"

    def export(self, request):
        rows = filtered(AuditEventFilterSet, request, PolicyAuditEvent.objects.all())
        return HISTORY_COLUMNS, [r.as_dict() for r in rows], {"generated_at": timezone.now()}


@extend_schema_view(get=extend_schema(responses=PolicyExceptionRegisterSerializer))
class ExceptionRegisterView(assignments.ExceptionRegisterView):
    """Every policy exception with its live status. Filters: status, scope, target_id, include_inactive."""

    kind = POLICY


class ReviewQueueView(APIView):
    """Exceptions needing a person: awaiting review, overdue or due within `within_days` (default 7).
    `kind` = policy, dq or all (default)."""

    @extend_schema(parameters=[ReviewQueueQuery], responses=ReviewQueueSerializer)
    def get(self, request):
        query = parse_query(request, ReviewQueueQuery)
        now = timezone.now()
        within, kind = query["within_days"], query["kind"]
        kinds = ("policy", "dq") if kind == "all" else (kind,)
        queue = registers.review_queue(now, within_days=within, kinds=kinds)
        counts = {
            s: sum(1 for e in queue if e["due_state"] == s)
            for s in ("overdue", "due_soon", "awaiting_review")
        }
        return Response(paged(query, queue, counts=counts, within_days=within, generated_at=now))
