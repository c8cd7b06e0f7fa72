"""Every source route has an /api/aggregate mirror: the ones DESIGN.md's inventory names, and
every route the source apps actually mount (so a new source route fails here until mirrored),
with the same role for writes."""

import re

import pytest
from django.urls import get_resolver, resolve

from aggregate_app.api.views import MirrorView, TriageQueryView, WriteView

SOURCE_URLCONFS = (
    "pipelines_app.api.urls",
    "pipelines_app.api.ingest_urls",
    "governance_app.api.urls",
    "triage_app.api.urls",
)
# DESIGN.md, endpoint inventory ({x} = a path parameter)
INVENTORY = """
GET /health
GET /version
GET /api/summary
GET /api/pipelines
GET /api/pipelines/{id}/runs
GET /api/incidents
GET /api/pipelines/{id}/sla
GET /api/sla/pipelines
GET /api/pipelines/{id}/impact
GET /api/pipelines/{id}/lineage
GET /api/costs
GET /api/costs/trend
GET /api/costs/anomalies
GET /api/costs/pipelines
GET /api/pipelines/{id}/cost
GET /api/costs/anomalies/investigate/{id}
POST /api/v1/lineage
GET /api/explain/run/{id}
POST /api/triage/query
GET /api/triage/assisted/telemetry
GET /api/triage/assisted/provider/status
GET /api/runbooks
GET /api/runbooks/governance
POST /api/runbooks/governance/upsert
POST /api/runbooks/governance/remove
GET /api/policies/profiles
POST /api/policies/assign
POST /api/policies/remove
GET /api/policies/effective
GET /api/policies/history
GET /api/policies/history/export
GET /api/policies/exceptions/register
GET /api/policies/review-queue
GET /api/dq/standards
POST /api/dq/standards/upsert
POST /api/dq/standards/remove
GET /api/dq/effective
POST /api/dq/exceptions/review
GET /api/dq/history
GET /api/dq/exceptions/register
GET /api/scorecards/teams
GET /api/scorecards/teams/export
GET /api/governance/posture
GET /api/governance/posture/trend
GET /api/governance/export/bundle
GET /api/governance/report/executive
"""
CONTROL_ONLY = {"api/aggregate/governance/drilldown", "api/aggregate/ops/diagnostics"}
# Source routes that serve the control tier itself (the keys it merges catalogues from), not people.
FOR_THE_CONTROL_TIER = {"/api/pipeline-keys"}


def normal(path: str) -> str:
    """/api/pipelines/{pipeline_id}/runs and api/pipelines/<str:pipeline_id>/runs -> /api/pipelines/{}/runs"""
    return "/" + re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path).lstrip("/")


def aggregate_routes() -> dict[tuple[str, str], dict]:
    """{(method, normal source path): {"pattern", "role"}} from the aggregate urlconf."""
    routes = {}
    for p in get_resolver("aggregate_app.api.urls").url_patterns:
        view = p.callback.view_class
        if issubclass(view, MirrorView):
            routes[("GET", normal(view.source_path))] = {"pattern": str(p.pattern), "role": None}
        elif issubclass(view, WriteView):
            routes[("POST", normal(view.source_path))] = {"pattern": str(p.pattern), "role": view.write_role}
        elif view is TriageQueryView:
            routes[("POST", "/api/triage/query")] = {"pattern": str(p.pattern), "role": view.write_role}
        else:
            assert str(p.pattern) in CONTROL_ONLY
    return routes


def expected_aggregate_path(source_path: str) -> str:
    rest = source_path.lstrip("/").removeprefix("api/")
    return normal("api/aggregate/" + rest)


@pytest.mark.parametrize("line", [x for x in INVENTORY.strip().splitlines()])
def test_every_inventory_route_has_a_mirror(line):
    method, path = line.split()
    mirror = aggregate_routes().get((method, normal(path)))
    assert mirror is not None, f"no /api/aggregate mirror for {line}"
    assert normal(mirror["pattern"]) == expected_aggregate_path(path)


def source_routes():
    for urlconf in SOURCE_URLCONFS:
        for p in get_resolver(urlconf).url_patterns:
            view = p.callback.view_class
            if view.__name__.endswith("Alias"):  # a second path for the same view, not in the schema
                continue
            if normal(str(p.pattern)) in FOR_THE_CONTROL_TIER:
                continue
            for method in ("get", "post"):
                if hasattr(view, method):
                    yield method.upper(), normal(str(p.pattern)), getattr(view, "write_role", "operator")


@pytest.mark.parametrize("method, path, role", list(source_routes()))
def test_every_mounted_source_route_has_a_mirror_with_its_role(method, path, role):
    mirror = aggregate_routes().get((method, path))
    assert mirror is not None, f"{method} {path} is mounted on the sources but has no /api/aggregate mirror"
    assert normal(mirror["pattern"]) == expected_aggregate_path(path)
    if method == "POST":
        assert mirror["role"] == role, f"{path}: the control tier must ask for the source's role {role!r}"


@pytest.mark.parametrize(
    "url, view",
    [
        ("/api/aggregate/governance/drilldown", "DrilldownView"),
        ("/api/aggregate/ops/diagnostics", "DiagnosticsView"),
        ("/api/aggregate/explain/run/run-1", "AggregateExplainRunByRunIdView"),
    ],
)
def test_control_tier_only_routes_are_mounted(control_tier, url, view):
    assert resolve(url).func.view_class.__name__ == view
