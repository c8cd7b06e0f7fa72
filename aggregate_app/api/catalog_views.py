"""Aggregate routes that count pipelines as merged entities (aggregate_app/catalog.py): the
pipeline list, and the summary whose headline counts must equal that list's total."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from controltower.api.query import parse_query

from .. import catalog, client, respond, sources
from ..merge import SUM, Page, Rule
from ..meta import capability as meta_capability
from . import query as q
from . import responses
from .views import ERRORS, MirrorView, acting_user, forwarded_params


class PipelineCatalogView(MirrorView):
    source_path = "/api/pipelines"
    rule = Rule("merge_by_identity", None, paged=True)

    @extend_schema(
        operation_id="aggregate_pipelines",
        parameters=[q.CatalogQuery],
        responses={200: responses.CatalogPageSerializer, **ERRORS},
        description="One row per pipeline across the selected sources: rows merge only when id, name "
        "and namespace match; the same id with another identity stays a row of its own and is "
        "counted in `_meta.identity_conflicts`. Filters apply at each source; `total` is exact and "
        "every page is reachable.",
    )
    def get(self, request):
        query = parse_query(request, q.CatalogQuery)
        selected = sources.select(query["source"])
        page, descending = Page(query["offset"], query["limit"]), query["order"] == "desc"
        body = catalog.catalogue(
            selected, forwarded_params(request), page, query["sort"], descending, acting_user(request)
        )
        return Response(body)


class SummaryView(MirrorView):
    source_path = "/api/summary"
    rule = SUM

    @extend_schema(
        operation_id="aggregate_summary",
        parameters=[q.SourceQuery],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        description="The sources' summaries added up; `pipelines` and `active` count merged pipelines "
        "(as /api/aggregate/pipelines does, so `pipelines` equals its `total`); each source's own "
        "figures under `by_source`.",
    )
    def get(self, request):
        selected = sources.select(parse_query(request, q.SourceQuery)["source"])
        user = acting_user(request)
        call = client.Call(path="/api/summary", acting_user=user)
        keys = catalog.in_background(catalog.fetch_keys, selected, {}, user)
        outcomes = client.fetch(selected, call)
        key_outcomes = keys.result()
        body, meta = respond.merged(call.path, outcomes, SUM, None)
        answered = [n for n, o in outcomes.items() if o.ok]
        unchecked = [key_outcomes[n] for n in answered if not key_outcomes[n].ok]
        if unchecked:  # counts stay the sources' sum: say that identity could not be checked
            meta["capabilities"] += [_unchecked(o) for o in unchecked]
            meta["identity_conflicts"] = None
            return Response(body)
        found = catalog.merged_entities({n: key_outcomes[n] for n in answered}).found
        body.update(catalog.counts(found))
        meta["identity_conflicts"] = catalog.conflicts(found)
        return Response(body)


def _unchecked(outcome) -> dict:
    row = meta_capability(catalog.KEYS_PATH, outcome)
    row["reason"] = (
        f"pipelines and active are this source's own counts, not checked for pipelines shared with "
        f"other sources ({outcome.reason or outcome.kind})"
    )
    return row
