"""OpenLineage ingest: POST /api/v1/lineage (one event, or a JSON array) and /api/v1/lineage/batch.

Thin: decode the body (ingest.body), hand it to the ingest service, render. The body is read
here, not by DRF parsers, so an oversize body is a 413 before anything is buffered."""

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.errors import ApiError
from controltower.roles import LINEAGE_WRITE, OPERATOR
from pipelines_app.ingest import EventError, NotStored, RunIdConflict, ingest_batch, ingest_event
from pipelines_app.ingest.body import read_json
from pipelines_app.ingest.metrics import count_rejections

from .examples import LINEAGE_EXAMPLES

RUN_OWNER = inline_serializer(
    "LineageRunOwner",
    {
        "pipeline_id": serializers.CharField(),
        "namespace": serializers.CharField(allow_null=True),
        "job": serializers.CharField(allow_null=True),
    },
)
ACCEPTED = inline_serializer(
    "LineageAccepted",
    {
        "accepted": serializers.IntegerField(),
        "kind": serializers.ChoiceField(["run", "job", "dataset"]),
        "pipeline_id": serializers.CharField(allow_null=True),
        "run_id": serializers.CharField(allow_null=True),
    },
)
BATCH = inline_serializer(
    "LineageBatchResult",
    {
        "received": serializers.IntegerField(),
        "accepted": serializers.IntegerField(),
        "rejected": inline_serializer(
            "LineageRejectedItem",
            {
                "index": serializers.IntegerField(),
                "field": serializers.CharField(allow_null=True),
                "code": serializers.ChoiceField(
                    ["invalid_request", "run_id_conflict", "not_stored"],
                    help_text="invalid_request: the event is invalid (`field`); run_id_conflict: its "
                    "run id belongs to another job (`details.owner`); not_stored: valid, not written",
                ),
                "message": serializers.CharField(),
                "details": inline_serializer(
                    "LineageRunIdConflict",
                    {
                        "field": serializers.CharField(),
                        "run_id": serializers.CharField(),
                        "owner": RUN_OWNER,
                    },
                    required=False,
                ),
            },
            many=True,
        ),
    },
)
ERRORS = {
    400: OpenApiResponse(description="Malformed body or invalid event; details.field names the field."),
    401: OpenApiResponse(description="No or bad token."),
    403: OpenApiResponse(description="Needs the operator role."),
    413: OpenApiResponse(description="Body larger than CT_MAX_BODY_BYTES (payload_too_large)."),
    415: OpenApiResponse(description="Not application/json."),
    503: OpenApiResponse(description="Warehouse unavailable."),
}

CONFLICT = OpenApiResponse(
    description="run_id_conflict: the event's run id belongs to another job, named in details.owner "
    "(pipeline_id, namespace, job); nothing of the event is written."
)

MAX_BATCH_EVENTS = 10_000
# The body as it is accepted: items of a batch are checked one by one and refused by index in
# `rejected` (a 207), so the schema does not claim the whole batch is refused for one bad item.
ANY_ITEMS = {"type": "array", "items": {}, "description": "OpenLineage events; bad items are reported."}
EVENT_OR_BATCH = {"oneOf": [{"type": "object", "description": "One OpenLineage event."}, ANY_ITEMS]}


def _batch_response(items: list) -> Response:
    if len(items) > MAX_BATCH_EVENTS:
        raise ApiError(
            413,
            "payload_too_large",
            f"A batch holds at most {MAX_BATCH_EVENTS} events; this one has {len(items)}.",
            {"limit_events": MAX_BATCH_EVENTS, "events": len(items)},
        )
    result = ingest_batch(items)
    return Response(result.as_dict(), status=207 if result.rejected else 200)


ONE_OR_BATCH = PolymorphicProxySerializer(
    component_name="LineageResult",
    serializers=[ACCEPTED, BATCH],
    resource_type_field_name=None,
    many=False,
)


class CountedIngestView(APIView):
    """Counts the events each answer refuses (ct_ingest_events_total{outcome="rejected"})."""

    def finalize_response(self, request, response, *args, **kwargs):
        count_rejections(response)
        return super().finalize_response(request, response, *args, **kwargs)


class LineageView(CountedIngestView):
    write_role = OPERATOR
    token_scope = LINEAGE_WRITE  # a producer's scoped token may post here, and nowhere else
    throttle_scope = "ingest"  # producers send bursts: their own rate, not the writes'

    @extend_schema(
        summary="Ingest an OpenLineage event (spec 2-0-2), or a JSON array of events",
        description="A producer's run event: validated, kept as received, and read into this source's "
        "pipelines, runs and datasets. An array is taken as a batch (see /api/v1/lineage/batch). A token "
        "scoped to `lineage:write` may post here and nowhere else.",
        request={"application/json": EVENT_OR_BATCH},
        responses={200: ONE_OR_BATCH, 207: BATCH, 409: CONFLICT, **ERRORS},
        examples=LINEAGE_EXAMPLES,
    )
    def post(self, request):
        body = read_json(request)
        if isinstance(body, list):
            return _batch_response(body)
        try:
            summary = ingest_event(body)
        except EventError as exc:
            raise ApiError(400, "invalid_request", str(exc), {"field": exc.field})
        except RunIdConflict as exc:
            raise ApiError(409, exc.code, str(exc), exc.details())
        except NotStored:
            raise ApiError(500, "internal_error", "The event is valid but could not be stored; retry later.")
        return Response({"accepted": 1, **summary})


class LineageBatchView(CountedIngestView):
    write_role = OPERATOR
    token_scope = LINEAGE_WRITE
    throttle_scope = "ingest"

    @extend_schema(
        summary="Ingest a batch of OpenLineage events (a JSON array); invalid items are reported by index",
        description="Each event is taken or refused on its own: 200 when every item was accepted, 207 when "
        "some were refused (each refusal names its index and why).",
        request={"application/json": ANY_ITEMS},
        responses={200: BATCH, 207: BATCH, **ERRORS},
    )
    def post(self, request):
        body = read_json(request)
        if not isinstance(body, list):
            raise ApiError(
                400,
                "invalid_request",
                "body: a batch is a JSON array of OpenLineage events.",
                {"field": "body"},
            )
        return _batch_response(body)
