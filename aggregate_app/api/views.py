"""Aggregate views: parse `source` and paging, fan out, merge, render. The route table (which
source path and merge rule each aggregate path uses) is aggregate_app/api/urls.py."""

import re

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.api.errors import ApiError
from controltower.api.query import parse_query
from controltower.roles import OPERATOR, VIEWER
from triage_app.api.serializers import TriageQueryRequestSerializer
from triage_app.api.views import triage_throttle_scope

from .. import catalog, client, diagnostics, drilldown, respond, sources
from ..merge import FIRST_FOUND, CsvBody, Page, Rule
from ..segments import segment
from . import query as q
from . import responses
from .render import AggregateJSONRenderer

WHOLE_LIST = 100_000  # bounds a `whole` rule's fetch; each source stops at its list's total
ERRORS = {400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT}


def body_source(body) -> str | None:
    """A write's or query's `source` field: a string, or absent."""
    value = body.get("source") if isinstance(body, dict) else None
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid_parameter", "source: must be a string.", {"parameter": "source"})
    return value


def acting_user(request) -> str:
    return request.user.get_username() if request.user and request.user.is_authenticated else ""


def forwarded_params(request, drop: tuple[str, ...] = ("source",)) -> dict:
    return {k: v for k, v in request.query_params.lists() if k not in drop}


def paging(offset: int, limit: int, n_sources: int) -> tuple[Page, tuple[int, int] | None]:
    """One source pages itself; several are each asked for their first offset+limit items in the
    list's order (client.Call.window), merged here and sliced: any page, an exact total."""
    if n_sources == 1:
        return Page(offset, limit, slice=False), None
    return Page(offset, limit), (offset, limit)


def source_path(template: str, kwargs: dict) -> str:
    return template.format(**{k: segment(k, v) for k, v in kwargs.items()})


class SourcesOwnFormat(DefaultContentNegotiation):
    """`?format=` is the sources' parameter (CSV exports), forwarded as is; here the answer is
    JSON (or the merged CSV, rendered directly)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class MirrorView(APIView):
    """GET a source route from the selected sources and merge the answers with `rule`."""

    source_path: str = ""
    rule: Rule
    query = q.SourceQuery
    content_negotiation_class = SourcesOwnFormat
    renderer_classes = [AggregateJSONRenderer]

    def get(self, request, **kwargs):
        query = parse_query(request, self.query)
        selected = sources.select(query["source"], single=self.rule.single)
        path = source_path(self.source_path, kwargs)  # refuses `.` and `..` before any call
        if "pipeline_id" in kwargs and not self.rule.name.startswith("merge_entity"):
            catalog.check_identity(selected, kwargs["pipeline_id"], acting_user(request))
        params, page, window = forwarded_params(request), None, None
        if self.rule.paged:
            page, window = paging(query["offset"], query["limit"], len(selected))
            window = (0, WHOLE_LIST) if window and self.rule.whole else window
            params = {k: v for k, v in params.items() if k not in ("offset", "limit")}
            if window is None:
                params.update(offset=page.offset, limit=page.limit)
        call = client.Call(path=path, params=params, window=window, acting_user=acting_user(request))
        body, meta = respond.merged(path, client.fetch(selected, call), self.rule, page)
        if isinstance(body, CsvBody):
            response = HttpResponse(body.text, content_type="text/csv")
            response["X-CT-Degraded-Sources"] = ",".join(n for n, s in meta["sources"].items() if not s["ok"])
            return response
        return Response(_aggregate_links(body))


def _aggregate_links(body: dict) -> dict:
    """A deprecated alias points at the aggregate replacement, not the source's."""
    target = body.get("replacement_endpoint")
    if isinstance(target, str) and target.startswith("/api/") and not target.startswith("/api/aggregate/"):
        body["replacement_endpoint"] = "/api/aggregate/" + target[len("/api/") :]
    return body


class WriteView(APIView):
    """POST to the sources the caller names, as the control tier's service account, on behalf of
    the caller (X-Acting-User). The caller needs `write_role` here, as they would at a source."""

    source_path: str = ""
    write_role = OPERATOR

    def post(self, request, **kwargs):
        body = request.data.dict() if hasattr(request.data, "dict") else request.data  # a form: plain dict
        chosen = parse_query(request, q.WriteSourceQuery)["source"] or (
            body.get("source") if isinstance(body, dict) else None
        )
        selected = sources.select(chosen, required=True)
        path = source_path(self.source_path, kwargs)
        call = client.Call(path=path, method="POST", body=body, acting_user=acting_user(request))
        status, result = respond.written(path, client.fetch(selected, call))
        return Response(result, status=status)


def view_name(prefix: str, path_template: str) -> str:
    """/api/pipelines/{pipeline_id}/runs -> <prefix>PipelinesByPipelineIdRunsView"""
    words = []
    for part in path_template.removeprefix("/api").strip("/").split("/"):
        is_param = part.startswith("{")
        camel = "".join(w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", part) if w)
        words.append(("By" + camel) if is_param else camel)
    return prefix + "".join(words) + "View"


def operation_id(prefix: str, path_template: str) -> str:
    """/api/pipelines/{pipeline_id}/runs -> <prefix>_pipelines_pipeline_id_runs"""
    return prefix + "_" + re.sub(r"[^a-z0-9]+", "_", path_template.removeprefix("/api").lower()).strip("_")


def mirror(path_template: str, rule: Rule):
    """The view for a read route: GET `path_template` on the sources, merged by `rule`."""
    if rule.single:
        query = q.SingleSourcePageQuery
    else:
        query = q.SourcePageQuery if rule.paged else q.SourceQuery

    @extend_schema(
        operation_id=operation_id("aggregate", path_template),
        parameters=[query],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        description=f"Mirrors `GET {path_template}` on the selected sources; merge rule `{rule.name}`.",
    )
    def get(self, request, **kwargs):
        return MirrorView.get(self, request, **kwargs)

    return type(
        view_name("Aggregate", path_template),
        (MirrorView,),
        {"source_path": path_template, "rule": rule, "query": query, "get": get},
    ).as_view()


def write(path_template: str, role: str = OPERATOR, body=OpenApiTypes.OBJECT, token_scope: str | None = None):
    """The view for a write route: POST `path_template` to the sources the caller names; `body`
    is the source route's request schema (the body is forwarded as it is); `token_scope`, the
    scope that lets a scoped token use it (as on the source route)."""

    @extend_schema(
        operation_id=operation_id("aggregate_write", path_template),
        parameters=[q.WriteSourceQuery],
        request=body,
        responses={200: OpenApiTypes.OBJECT, 207: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, **ERRORS},
        description=(
            f"Forwards `POST {path_template}` to the named sources (role `{role}` needed); answers each "
            "source's outcome: 200 all accepted, 207 some, 502 none (or the sources' own 4xx)."
        ),
    )
    def post(self, request, **kwargs):
        return WriteView.post(self, request, **kwargs)

    return type(
        view_name("AggregateWrite", path_template),
        (WriteView,),
        {
            "source_path": path_template,
            "write_role": role,
            "token_scope": token_scope,
            "post": post,
        },
    ).as_view()


class TriageQueryView(APIView):
    """POST /api/triage/query to the body's `source` (or every source, first answer wins). A read
    in substance: any logged-in viewer may ask."""

    write_role = VIEWER
    source_path, rule = "/api/triage/query", FIRST_FOUND  # what the schema types its answer from

    @property
    def throttle_scope(self) -> str | None:
        return triage_throttle_scope(self.request)

    @extend_schema(
        request=TriageQueryRequestSerializer,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        description="Forwards the triage query to the request's `source` (a name, `both` or `all`); with "
        "several sources the first (in configuration order) that answers wins.",
    )
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        selected = sources.select(parse_query(request, q.SourceQuery)["source"] or body_source(body))
        call = client.Call(
            path="/api/triage/query", method="POST", body=body, acting_user=acting_user(request)
        )
        result, _ = respond.merged(call.path, client.fetch(selected, call), self.rule, None)
        return Response(result)


class DrilldownView(APIView):
    """GET /api/aggregate/governance/drilldown: the rows behind a governance number, across sources."""

    @extend_schema(
        parameters=[q.DrilldownQuery],
        responses={200: responses.DrilldownSerializer, **ERRORS},
    )
    def get(self, request):
        query = parse_query(request, q.DrilldownQuery)
        selected = sources.select(query["source"])
        kind, days, limit = query["drilldown"], query["days"], query["limit"]
        return Response(drilldown.drilldown(kind, selected, days, limit, acting_user(request)))


class DiagnosticsView(APIView):
    """GET /api/aggregate/ops/diagnostics: build fingerprints and their reconciliation, assisted
    triage posture, breakers, CI and smoke outcomes. `?download=1` answers it as a JSON file."""

    @extend_schema(
        parameters=[q.DiagnosticsQuery],
        responses={200: responses.DiagnosticsSerializer, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = parse_query(request, q.DiagnosticsQuery)
        download = query["download"] in ("1", "true", "yes")
        selected = sources.select(query["source"])
        body = diagnostics.snapshot(selected, acting_user(request))
        response = Response(body)
        if download:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            response["Content-Disposition"] = f'attachment; filename="control-tower-diagnostics-{stamp}.json"'
        return response
