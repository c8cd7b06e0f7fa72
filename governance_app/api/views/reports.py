"""Scorecards, posture, trend, export bundle and the executive report."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.query import parse_query
from pipelines_app.warehouse import WarehouseUnavailable

from ... import posture, reports, shared_reads, snapshot
from ...scorecards import SCORECARD_COLUMNS, team_scorecards
from ..query import ExecutiveReportQuery, PostureTrendQuery, ScorecardExportQuery, ScorecardQuery
from ..responses import (
    ExecutiveReportSerializer,
    ExportBundleSerializer,
    PostureSerializer,
    PostureTrendSerializer,
    ScorecardExportSerializer,
    ScorecardPageSerializer,
)
from .base import ExportView, export_responses, paged


def _cards(query: dict, snap: snapshot.Snapshot) -> list[dict]:
    cards = team_scorecards(snap)
    if team := query["team"]:
        cards = [c for c in cards if c["team"].lower() == team.lower()]
    if grade := query["grade"]:
        cards = [c for c in cards if c["grade"] == grade]
    return cards


class TeamScorecardsView(APIView):
    """Per team: composite score and its parts (see governance_app.scorecards), worst first, each
    with the `score_inputs` counts it was computed from. Filters: team, grade."""

    @extend_schema(parameters=[ScorecardQuery], responses=ScorecardPageSerializer)
    def get(self, request):
        query = parse_query(request, ScorecardQuery)
        snap = snapshot.build()
        cards = _cards(query, snap)
        average = round(sum(c["score"] for c in cards) / len(cards), 1) if cards else None
        return Response(
            paged(query, cards, average_score=average, columns=SCORECARD_COLUMNS, generated_at=snap.now)
        )


class TeamScorecardsExportView(ExportView):
    """Team scorecards as JSON or CSV; columns as in `SCORECARD_COLUMNS`:
    team, score, grade, pipelines, dq_failures, dq_pass_ratio, policy_mismatches, unmanaged_exceptions,
    policy_aligned_ratio, runbook_coverage, ownership_ratio, anomaly_count, breach_ratio,
    previous_breach_ratio, sla_pressure_trend."""

    filename = "team-scorecards"

    @extend_schema(parameters=[ScorecardExportQuery], responses=export_responses(ScorecardExportSerializer))
    def get(self, request):
        return super().get(request)

    def export(self, request):
        snap = snapshot.build()
        cards = _cards(parse_query(request, ScorecardExportQuery), snap)
        rows = [{k: c[k] for k in SCORECARD_COLUMNS} for c in cards]
        return SCORECARD_COLUMNS, rows, {"generated_at": snap.now}


class PostureView(APIView):
    """Governance posture now: score and grade, policy, DQ and runbook coverage, ownership,
    exceptions, reviews due and SLA breaches over 7 days against the 7 before."""

    @extend_schema(responses=PostureSerializer)
    def get(self, request):
        return Response(posture.posture(snapshot.build()))


class PostureTrendView(APIView):
    """Daily points over `days` (1-90, default 30), computed from telemetry and the audit trail."""

    @extend_schema(parameters=[PostureTrendQuery], responses=PostureTrendSerializer)
    def get(self, request):
        days = parse_query(request, PostureTrendQuery)["days"]
        evaluation = shared_reads.evaluation()  # as of its moment, with its pipelines
        points = posture.posture_trend(days, evaluation.now, evaluation.pipelines)
        return Response({"days": days, "items": points, "total": len(points), "generated_at": evaluation.now})


class ExportBundleView(APIView):
    """Everything an auditor asks for in one JSON document (served as an attachment). Without a
    warehouse the store's records are still exported and `degraded` is true."""

    @extend_schema(responses=ExportBundleSerializer)
    def get(self, request):
        now = timezone.now()
        try:
            snap, error = snapshot.build(now), None
        except WarehouseUnavailable as exc:
            snap, error = None, exc.message
        response = Response(reports.export_bundle(now, snap, error))
        response["Content-Disposition"] = (
            f'attachment; filename="governance-bundle-{now:%Y%m%dT%H%M%SZ}.json"'
        )
        return response


class ExecutiveReportView(APIView):
    """The director's summary over `days` (1-90, default 7): JSON, or `?view=html` for a printable page."""

    @extend_schema(
        parameters=[ExecutiveReportQuery],
        responses={
            (200, "application/json"): ExecutiveReportSerializer,
            (200, "text/html"): OpenApiTypes.STR,
        },
    )
    def get(self, request):
        query = parse_query(request, ExecutiveReportQuery)
        days, view = query["days"], query["view"]
        report = reports.executive_report(snapshot.build(), days)
        if view == "html":
            return HttpResponse(render_to_string("governance/executive_report.html", {"r": report}, request))
        return Response(report)
