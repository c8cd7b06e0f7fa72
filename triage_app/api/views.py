"""Triage endpoints: explain a run, the triage query, assisted telemetry and provider status."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.errors import ApiError
from controltower.api.query import parse_query
from controltower.roles import VIEWER

from .. import assisted_stats, explain, orchestrate
from ..choices import TriageMode
from ..context import TriageRequest
from . import query as q
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(description="invalid_parameter: the message and details.parameter name the field."),
    404: OpenApiResponse(description="not_found: unknown run or pipeline."),
    503: OpenApiResponse(description="database_unavailable, or assisted_mode_failed (strict policy)."),
}


def _invalid(errors: dict) -> ApiError:
    field = next(iter(errors))
    detail = errors[field]
    message = str(detail[0] if isinstance(detail, list) else detail)
    return ApiError(400, "invalid_parameter", f"{field}: {message}", {"parameter": field, "fields": errors})


ASSISTED_TRIAGE = "assisted_triage"


def triage_throttle_scope(request) -> str | None:
    """An assisted answer calls the provider (up to ASSISTED_RETRY_MAX_ATTEMPTS times) and writes
    telemetry, so it has its own tight rate; a deterministic one is a read (the per-person rate)."""
    body = request.data
    return ASSISTED_TRIAGE if isinstance(body, dict) and body.get("mode") == TriageMode.ASSISTED else None


class ExplainRunView(APIView):
    """Why a run failed or ran late: the rules' findings over its facts (optionally assisted),
    each citing the facts it used."""

    @extend_schema(
        parameters=[
            OpenApiParameter("run_id", str, OpenApiParameter.PATH),
            q.ExplainRunQuery,
        ],
        responses={200: s.ExplainRunSerializer, **ERRORS},
    )
    def get(self, request, run_id: str):
        return Response(explain.explain_run(run_id, **parse_query(request, q.ExplainRunQuery)))


class TriageQueryView(APIView):
    """A read-like POST (it writes nothing but assisted telemetry): viewers may ask."""

    write_role = VIEWER

    @property
    def throttle_scope(self) -> str | None:
        return triage_throttle_scope(self.request)

    @extend_schema(
        request=s.TriageQueryRequestSerializer,
        responses={200: s.TriageAnswerSerializer, **ERRORS},
        description="Triage a run, a pipeline or an error text. A read-like POST: any logged-in role, viewer "
        "included, may ask (it writes only assisted-mode telemetry). `mode=assisted` asks the configured "
        "provider; every kept statement cites fact ids from `facts_used`.",
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ApiError(400, "invalid_parameter", "body: expected a JSON object.", {"parameter": "body"})
        ser = s.TriageQueryRequestSerializer(data=request.data)
        if not ser.is_valid():
            raise _invalid(ser.errors)
        return Response(orchestrate.triage(TriageRequest(**ser.validated_data)))


class AssistedTelemetryView(APIView):
    """Assisted-triage calls over the last `days`: counts by status, provider and error class,
    latency, tokens, dropped statements and the most recent calls."""

    @extend_schema(
        parameters=[q.AssistedTelemetryQuery],
        responses={200: s.AssistedTelemetrySerializer, 400: ERRORS[400]},
    )
    def get(self, request):
        return Response(assisted_stats.summary(**parse_query(request, q.AssistedTelemetryQuery)))


class ProviderStatusView(APIView):
    """The assisted-triage provider: requested and selected, enabled and configured, failure
    policy, retry and timeout, and each provider's non-secret settings (never a secret)."""

    @extend_schema(responses={200: s.ProviderStatusSerializer})
    def get(self, request):
        return Response(assisted_stats.provider_status())
