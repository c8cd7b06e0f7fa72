"""DQ endpoints: standards list / upsert / remove, effective pass-fail with evidence, exception
review (four eyes), history, exceptions register."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import parse_query

from ... import dq, shared_reads
from ...kinds import DQ
from ...models import DQStandard
from ..query import DQEffectiveQuery, StandardsQuery
from ..responses import DQEffectivePageSerializer, DQExceptionRegisterSerializer, DQStandardsPageSerializer
from ..serializers import DQStandardSerializer, DQUpsertSerializer
from . import assignments
from .base import HistoryView, attribute_filter, paged


class StandardsView(APIView):
    """The baseline and the active standards. Filters: scope, target_id, include_inactive."""

    @extend_schema(parameters=[StandardsQuery], responses=DQStandardsPageSerializer)
    def get(self, request):
        query = parse_query(request, StandardsQuery)
        rows = DQStandard.objects.all() if query["include_inactive"] else DQStandard.objects.active()
        if scope := query["scope"]:
            rows = rows.filter(scope=scope)
        if target := query["target_id"]:
            rows = rows.filter(target_id=target)
        items = DQStandardSerializer(rows.order_by("scope", "target_id", "-id"), many=True).data
        return Response(
            paged(
                query,
                list(items),
                baseline=dq.BASELINE,
                precedence=["pipeline", "team", "domain", "baseline"],
            )
        )


class UpsertView(assignments.AssignView):
    """Set standards on a scope/target (keys left out keep their value, null inherits). With
    `is_exception: true` the target's standards are also proposed as waived (an exception)."""

    kind, serializer_class = DQ, DQUpsertSerializer


class RemoveView(assignments.RemoveView):
    """Remove the DQ standards set on a pipeline, team or domain (the row stays, inactive, in the
    history); each value is then inherited from the next level."""

    kind = DQ


class ExceptionReviewView(assignments.ExceptionReviewView):
    """Approve or reject a proposed DQ exception (four eyes: not by its proposer)."""

    kind = DQ


class EffectiveView(APIView):
    """Per pipeline: each standard's threshold, live evidence, pass / fail / waived, suggestions and
    links. Filters: pipeline_id, team, domain, criticality, status (pass|fail|waived), standard."""

    @extend_schema(parameters=[DQEffectiveQuery], responses=DQEffectivePageSerializer)
    def get(self, request):
        query = parse_query(request, DQEffectiveQuery)
        status, standard = query["status"], query["standard"]
        evaluation = shared_reads.evaluation()
        items = attribute_filter(query, evaluation.dq_items)
        summary = dq.dq_summary(items)
        if status:
            items = [i for i in items if i["status"] == status]
        if standard:
            items = [i for i in items if standard in i["failing_standards"]]
        return Response(
            paged(query, items, summary=summary, baseline=dq.BASELINE, generated_at=evaluation.now)
        )


class DQHistoryView(HistoryView):
    audit_model = DQ.audit_model


@extend_schema_view(get=extend_schema(responses=DQExceptionRegisterSerializer))
class DQExceptionRegisterView(assignments.ExceptionRegisterView):
    """Every DQ exception with its live status. Filters: status, scope, target_id, include_inactive."""

    kind = DQ
