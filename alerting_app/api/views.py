"""GET /api/aggregate/alerts (paged, filtered), GET /api/aggregate/alerts/{id} (members,
notifications, history), POST …/acknowledge, …/snooze, …/resolve (operator role), and
POST /api/aggregate/alerts/evaluate (operator role, or a source's nudge token)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from aggregate_app import meta, sources
from controltower.api.auth import RolePermission, acting_username
from controltower.api.errors import ApiError
from controltower.api.query import page, parse_query
from controltower.roles import OPERATOR
from pipelines_app.api.serializers import ErrorSerializer

from .. import actions, nudge
from ..choices import LIVE_STATES
from ..models import AlertIncident
from . import serializers as ser

TAG = ["alerts"]
READ_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}
WRITE_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def listed(query: dict):
    """The incidents the list shows, newest first."""
    rows = AlertIncident.objects.annotate(members_count=Count("members"))
    if query["state"] == ser.LIVE:
        rows = rows.filter(state__in=LIVE_STATES)
    elif query["state"]:
        rows = rows.filter(state=query["state"])
    else:
        since = timezone.now() - timedelta(hours=query["recent_hours"])
        rows = rows.filter(Q(state__in=LIVE_STATES) | Q(resolved_at__gte=since))
    for field in ("kind", "source", "team", "pipeline_id"):
        if query[field]:
            rows = rows.filter(**{field: query[field]})
    if query["members"] is not True:
        rows = rows.filter(root__isnull=True)
    return rows.order_by("-last_seen_at", "-pk")


def answer(body: dict) -> Response:
    """Alerts are the control tier's own: `_meta` selects no source, and none is degraded."""
    return Response({**body, "_meta": meta.build("/api/aggregate/alerts", {}, sources.names())})


def found(alert_id: str) -> AlertIncident:
    pk = int(alert_id) if alert_id.isascii() and alert_id.isdigit() and len(alert_id) < 19 else None
    incident = (
        AlertIncident.objects.annotate(members_count=Count("members")).filter(pk=pk).first() if pk else None
    )
    if incident is None:
        raise ApiError(404, "not_found", f"No alert with id {alert_id[:40]!r}.", {"id": alert_id[:40]})
    return incident


class AlertListView(APIView):
    """Open and recent alert incidents across the sources, roots first with their member counts;
    filter by state, kind, source, team and pipeline."""

    @extend_schema(
        operation_id="api_aggregate_alerts_list",
        tags=TAG,
        parameters=[ser.AlertQuery],
        responses={200: ser.IncidentPageSerializer, **READ_ERRORS},
    )
    def get(self, request):
        query = parse_query(request, ser.AlertQuery)
        rows = listed(query)
        offset, limit = query["offset"], query["limit"]
        items = ser.IncidentSerializer(rows[offset : offset + limit], many=True).data
        return answer(page(items, rows.count(), offset, limit, generated_at=timezone.now()))


class AlertDetailView(APIView):
    """One alert incident: its lifecycle, the members grouped under it, and every notification with
    its delivery status."""

    @extend_schema(
        operation_id="api_aggregate_alerts_retrieve",
        tags=TAG,
        responses={200: ser.IncidentDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, alert_id: str):
        incident = found(alert_id)
        return answer(ser.IncidentDetailSerializer(incident).data)


class AlertWriteView(GenericAPIView):
    """Validate the body, apply the audited verb as the caller, answer the incident."""

    write_role = OPERATOR

    def post(self, request, alert_id: str):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        incident = found(alert_id)
        try:
            self.act(incident, actor=acting_username(request), **body.validated_data)
        except actions.AlertStateError as exc:
            raise ApiError(
                409, "alert_state_conflict", str(exc), {"id": incident.pk, "state": incident.state}
            ) from exc
        return answer(ser.IncidentDetailSerializer(found(alert_id)).data)


class AcknowledgeView(AlertWriteView):
    serializer_class = ser.AcknowledgeSerializer
    act = staticmethod(actions.acknowledge)

    @extend_schema(tags=TAG, responses={200: ser.IncidentDetailSerializer, **WRITE_ERRORS})
    def post(self, request, alert_id: str):
        """Acknowledge: someone is on it (notifies the channels that heard of the alert)."""
        return super().post(request, alert_id)


class SnoozeView(AlertWriteView):
    serializer_class = ser.SnoozeSerializer
    act = staticmethod(actions.snooze)

    @extend_schema(tags=TAG, responses={200: ser.IncidentDetailSerializer, **WRITE_ERRORS})
    def post(self, request, alert_id: str):
        """Snooze until a time, with a reason; it wakes by itself."""
        return super().post(request, alert_id)


class ResolveView(AlertWriteView):
    serializer_class = ser.ResolveSerializer
    act = staticmethod(actions.resolve)

    @extend_schema(tags=TAG, responses={200: ser.IncidentDetailSerializer, **WRITE_ERRORS})
    def post(self, request, alert_id: str):
        """Resolve by hand (with its grouped members), sending the resolve notice."""
        return super().post(request, alert_id)


class NudgeTokenOrRole(RolePermission):
    """A source's nudge token (header X-Alert-Nudge-Token, CT_ALERT_NUDGE_TOKEN), else the role."""

    def has_permission(self, request, view) -> bool:
        if nudge.token_matches(request.headers.get("X-Alert-Nudge-Token", "")):
            return True
        return super().has_permission(request, view)


class EvaluateView(APIView):
    permission_classes = [NudgeTokenOrRole]
    write_role = OPERATOR

    @extend_schema(
        operation_id="api_aggregate_alerts_evaluate",
        tags=TAG,
        request=None,
        responses={202: ser.EvaluateAnswerSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request):
        """Evaluate alerts now: a source's nudge (header X-Alert-Nudge-Token) when a run failed, or an
        operator. Debounced (CT_ALERT_NUDGE_DEBOUNCE_S); answers 202 at once."""
        response = answer({"outcome": nudge.request_evaluation()})
        response.status_code = 202
        return response
