"""DQ endpoints: standards list / upsert / remove, effective pass-fail with evidence, exception
review (four eyes), history, exceptions register."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import parse_query

from ... import actions, dq, warehouse_reads
from ...kinds import DQ, DQ_FIELDS
from ...models import DQAuditEvent, DQStandard
from ..query import DQEffectiveQuery, StandardsQuery
from ..serializers import DQStandardSerializer, DQUpsertSerializer, ReviewSerializer, TargetSerializer
from .base import WriteView, attribute_filter, paged
from .policies import ExceptionRegisterView, PolicyHistoryView


class StandardsView(APIView):
    """The baseline and the active standards. Filters: scope, target_id, include_inactive."""

    @extend_schema(parameters=[StandardsQuery], responses=OpenApiTypes.OBJECT)
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


class UpsertView(WriteView):
    """Set standards on a scope/target (keys left out keep their value, null inherits). With
    `is_exception: true` the target's standards are also proposed as waived (an exception)."""

    input_serializer = DQUpsertSerializer

    @extend_schema(request=DQUpsertSerializer, responses=DQStandardSerializer)
    def post(self, request):
        return super().post(request)

    def perform(self, data, user):
        scope, target, reason = data["scope"], data["target_id"], data["reason"]
        values = {k: data[k] for k in DQ_FIELDS if k in data}
        row = actions.assign(DQ, scope, target, values, actor=user, reason=reason)
        if data["proposing"]:
            row = actions.propose_exception(
                DQ,
                scope,
                target,
                actor=user,
                reason=data.get("exception_reason") or reason,
                expires_at=data["exception_expires_at"],
                review_due_at=data.get("review_due_at"),
                waiver_template=data.get("waiver_template", ""),
            )
        return DQStandardSerializer(row).data


class RemoveView(WriteView):
    input_serializer = TargetSerializer

    @extend_schema(request=TargetSerializer, responses=DQStandardSerializer)
    def post(self, request):
        return super().post(request)

    def perform(self, data, user):
        row = actions.remove(DQ, data["scope"], data["target_id"], actor=user, reason=data["reason"])
        return DQStandardSerializer(row).data


class ExceptionReviewView(WriteView):
    """Approve or reject a proposed DQ exception (four eyes: not by its proposer)."""

    input_serializer = ReviewSerializer

    @extend_schema(request=ReviewSerializer, responses=DQStandardSerializer)
    def post(self, request):
        return super().post(request)

    def perform(self, data, user):
        row = actions.review_exception(
            DQ, data["scope"], data["target_id"], data["decision"], actor=user, reason=data["reason"]
        )
        return DQStandardSerializer(row).data


class EffectiveView(APIView):
    """Per pipeline: each standard's threshold, live evidence, pass / fail / waived, suggestions and
    links. Filters: pipeline_id, team, domain, criticality, status (pass|fail|waived), standard."""

    @extend_schema(parameters=[DQEffectiveQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = parse_query(request, DQEffectiveQuery)
        status, standard = query["status"], query["standard"]
        now = timezone.now()
        items = attribute_filter(query, dq.evaluate_all(*warehouse_reads.pipelines_with_evidence(now), now))
        summary = dq.dq_summary(items)
        if status:
            items = [i for i in items if i["status"] == status]
        if standard:
            items = [i for i in items if standard in i["failing_standards"]]
        return Response(paged(query, items, summary=summary, baseline=dq.BASELINE, generated_at=now))


class DQHistoryView(PolicyHistoryView):
    audit_model = DQAuditEvent


class DQExceptionRegisterView(ExceptionRegisterView):
    """Every DQ exception with its live status. Filters: status, scope, target_id, include_inactive."""

    register_kind = "dq"
