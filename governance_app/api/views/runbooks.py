"""Runbook endpoints: the catalog (telemetry URLs + governance state, with coverage) and runbook
governance list / upsert / remove (operators may write)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import PageQuery, filterset_parameters, parse_query
from controltower.roles import OPERATOR

from ... import actions, runbooks, shared_reads
from ...filtersets import RunbookGovernanceFilterSet
from ...models import RunbookAuditEvent, RunbookGovernance
from ..query import RunbookCatalogQuery
from ..responses import (
    RunbookCatalogPageSerializer,
    RunbookGovernancePageSerializer,
    RunbookRemovedSerializer,
)
from ..serializers import RunbookGovernanceSerializer, RunbookRemoveSerializer, RunbookUpsertSerializer
from .base import HistoryView, WriteView, filtered, paged


class CatalogView(APIView):
    """The runbook catalogue: each pipeline's runbook URL, its status and governance, with coverage.
    Filters: search, team, domain, criticality, owner, include_missing (default true)."""

    @extend_schema(parameters=[RunbookCatalogQuery], responses=RunbookCatalogPageSerializer)
    def get(self, request):
        query = parse_query(request, RunbookCatalogQuery)
        filters = {k: v for k, v in query.items() if k not in ("offset", "limit")}
        entries, coverage = runbooks.select(shared_reads.evaluation().runbook_entries, filters)
        return Response(paged(query, entries, coverage=coverage))


class GovernanceListView(APIView):
    """Runbook governance per pipeline (state, owner, notes), with counts by state.
    Filters: state, pipeline_id, owner (contains)."""

    @extend_schema(
        parameters=[PageQuery, *filterset_parameters(RunbookGovernanceFilterSet)],
        responses=RunbookGovernancePageSerializer,
    )
    def get(self, request):
        query = parse_query(request, PageQuery)
        rows = filtered(RunbookGovernanceFilterSet, request, RunbookGovernance.objects.all())
        items = list(RunbookGovernanceSerializer(rows, many=True).data)
        counts = {}
        for item in items:
            counts[item["state"]] = counts.get(item["state"], 0) + 1
        return Response(paged(query, items, counts_by_state=counts))


class GovernanceUpsertView(WriteView):
    """Set where a pipeline's runbook stands (state, owner, notes); fields left out keep their value."""

    write_role = OPERATOR
    serializer_class, response_serializer = RunbookUpsertSerializer, RunbookGovernanceSerializer

    def perform(self, data, user):
        row = actions.upsert_runbook_governance(
            data["pipeline_id"],
            actor=user,
            state=data.get("state"),
            owner=data.get("owner"),
            notes=data.get("notes"),
            reason=data["reason"],
        )
        return RunbookGovernanceSerializer(row).data


class GovernanceRemoveView(WriteView):
    """Remove a pipeline's runbook governance (recorded in the history)."""

    write_role = OPERATOR
    serializer_class, response_serializer = RunbookRemoveSerializer, RunbookRemovedSerializer

    def perform(self, data, user):
        actions.remove_runbook_governance(data["pipeline_id"], actor=user, reason=data["reason"])
        return {"pipeline_id": data["pipeline_id"], "removed": True}


class GovernanceHistoryView(HistoryView):
    audit_model = RunbookAuditEvent
