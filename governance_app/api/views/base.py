"""What governance views share: the write pattern (validate, act, render), query helpers, history
pages and exports (JSON or CSV, chosen by `?export_format=csv|json`, `?format=`, or `Accept`)."""

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.auth import acting_username
from controltower.api.errors import ApiError
from controltower.api.query import PageQuery, filtered, filterset_parameters, page, parse_query
from controltower.roles import GOVERNANCE_ADMIN

from ...filtersets import AuditEventFilterSet
from ...models.audit import AuditEvent
from ..query import ExportQuery
from ..renderers import CSVRenderer
from ..responses import AuditEventPageSerializer
from ..serializers import AuditEventSerializer


def export_responses(json_answer) -> dict:
    """An export's answers: `json_answer` (columns, items, total, ...) as JSON, or the CSV text."""
    return {(200, "application/json"): json_answer, (200, "text/csv"): OpenApiTypes.STR}


class WriteSchema(AutoSchema):
    """A write's request body is its view's serializer_class; its answer, response_serializer."""

    def get_response_serializers(self):
        return self.view.response_serializer


class WriteView(GenericAPIView):
    # POST: validate the body with serializer_class (400 naming the field), then `perform` the
    # action as the acting user (the caller, or the person a control tier's service account names
    # in X-Acting-User), so audit rows and four eyes concern the real person. The schema reads the
    # body and the answer from the class (WriteSchema); subclasses' docstrings describe the route.

    write_role = GOVERNANCE_ADMIN
    response_serializer = OpenApiTypes.OBJECT
    schema = WriteSchema()

    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():  # a request that makes several changes makes all or none
            return Response(self.perform(serializer.validated_data, acting_username(request)))

    def perform(self, data: dict, user: str) -> dict:
        raise NotImplementedError


def paged(query: dict, items: list, **extra) -> dict:
    """One page of `items` at the query's offset / limit."""
    offset, limit = query["offset"], query["limit"]
    return page(items[offset : offset + limit], len(items), offset, limit, **extra)


def attribute_filter(
    query: dict, items: list[dict], keys=("pipeline_id", "team", "domain", "criticality")
) -> list:
    for key in keys:
        wanted = query.get(key)
        if wanted:
            items = [i for i in items if (i.get(key) or "").lower() == wanted.lower()]
    return items


class HistoryView(APIView):
    """An audit history, newest first, filtered (see AuditEventFilterSet) and paginated."""

    audit_model: type[AuditEvent]

    @extend_schema(
        parameters=[PageQuery, *filterset_parameters(AuditEventFilterSet)], responses=AuditEventPageSerializer
    )
    def get(self, request: Request) -> Response:
        query = parse_query(request, PageQuery)
        offset, limit = query["offset"], query["limit"]
        rows = filtered(AuditEventFilterSet, request, self.audit_model.objects.all())
        total = rows.count()
        items = AuditEventSerializer(rows[offset : offset + limit], many=True).data
        return Response(page(items, total, offset, limit))


class ExportView(APIView):
    """An export in JSON or CSV with documented columns; subclasses return (columns, items)."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    filename = "export"

    def perform_content_negotiation(self, request, force=False):
        chosen = super().perform_content_negotiation(request, force)  # judges ?format= and Accept
        if force:  # rendering an error: never raise again here
            wanted = request.query_params.getlist("export_format")
            fmt = wanted[0] if len(wanted) == 1 else ("json" if wanted else None)
        else:
            fmt = parse_query(request, ExportQuery)["export_format"]
        if fmt is not None:
            renderers = {r.format: r for r in self.get_renderers()}
            if fmt not in renderers:
                if force:
                    return renderers["json"], renderers["json"].media_type
                raise ApiError(
                    400,
                    "invalid_parameter",
                    "'export_format' must be json or csv.",
                    {"parameter": "export_format"},
                )
            return renderers[fmt], renderers[fmt].media_type
        return chosen

    @extend_schema(
        parameters=[ExportQuery],
        responses=export_responses(OpenApiTypes.OBJECT),  # each export states its own
    )
    def get(self, request: Request) -> Response:
        columns, items, extra = self.export(request)
        response = Response({"columns": columns, "items": items, "total": len(items), **extra})
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{self.filename}.csv"'
        return response

    def export(self, request: Request) -> tuple[list[str], list[dict], dict]:
        raise NotImplementedError
