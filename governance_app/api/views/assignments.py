"""The writes and the exceptions register for either kind of assignment (governance_app.kinds):
policies.py and dq.py declare one route each, naming the kind and the body it takes."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import parse_query

from ... import actions, registers
from ...choices import Decision, ExceptionStatus
from ...kinds import AssignmentKind
from ..query import RegisterQuery
from ..serializers import ASSIGNMENT_SERIALIZERS, ReviewSerializer, TargetSerializer
from .base import WriteView, paged

REVIEWS = {ExceptionStatus.APPROVED: Decision.APPROVE, ExceptionStatus.REJECTED: Decision.REJECT}


class AssignmentWriteView(WriteView):
    kind: AssignmentKind

    @property
    def response_serializer(self):
        return ASSIGNMENT_SERIALIZERS[self.kind.name]

    def render(self, row) -> dict:
        return self.response_serializer(row).data


class AssignView(AssignmentWriteView):
    # Set the kind's values; in the same request, optionally propose the assignment as an exception
    # or (policy: exception_status approved|rejected) review the proposed one.

    def perform(self, data, user):
        kind, scope, target, reason = self.kind, data["scope"], data["target_id"], data["reason"]
        values = {k: data[k] for k in kind.fields if k in data}
        row = actions.assign(kind, scope, target, values, actor=user, reason=reason)
        if data["proposing"]:
            row = actions.propose_exception(
                kind,
                scope,
                target,
                actor=user,
                reason=data.get("exception_reason") or reason,
                expires_at=data["exception_expires_at"],
                review_due_at=data.get("review_due_at"),
                waiver_template=data.get("waiver_template", ""),
            )
        elif decision := REVIEWS.get(data.get("exception_status")):
            row = actions.review_exception(kind, scope, target, decision, actor=user, reason=reason)
        return self.render(row)


class RemoveView(AssignmentWriteView):
    serializer_class = TargetSerializer

    def perform(self, data, user):
        return self.render(
            actions.remove(self.kind, data["scope"], data["target_id"], actor=user, reason=data["reason"])
        )


class ExceptionReviewView(AssignmentWriteView):
    serializer_class = ReviewSerializer

    def perform(self, data, user):
        row = actions.review_exception(
            self.kind, data["scope"], data["target_id"], data["decision"], actor=user, reason=data["reason"]
        )
        return self.render(row)


class ExceptionRegisterView(APIView):
    kind: AssignmentKind

    @extend_schema(parameters=[RegisterQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = parse_query(request, RegisterQuery)
        now = timezone.now()
        filters = {k: query[k] for k in ("status", "scope", "target_id", "include_inactive")}
        entries = registers.register(self.kind.name, now, **filters)
        live = [s for s in ExceptionStatus.values if s != ExceptionStatus.NONE]
        counts = {s: sum(1 for e in entries if e["status"] == s) for s in live}
        return Response(paged(query, entries, counts=counts, generated_at=now))
