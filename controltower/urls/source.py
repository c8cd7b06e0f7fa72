"""The source API's routes: identity, schema and admin, its telemetry, ingest, governance and
triage API, and a root page that says what this deployment is. No `/api/aggregate/*`, no ops pages
(those are the control tier's)."""

from django.urls import include, path

from ..views import source_home
from .common import identity_routes

SCHEMA = {
    "TITLE": "Control Tower source API",
    "DESCRIPTION": "One source deployment: its telemetry warehouse, governance store and OpenLineage "
    "ingest. The control tier fans out to every source under /api/aggregate/*.",
}

urlpatterns = [
    path("", source_home, name="source-home"),
    *identity_routes(SCHEMA),
    path("", include("pipelines_app.api.urls")),
    path("", include("pipelines_app.api.ingest_urls")),
    path("", include("governance_app.api.urls")),
    path("", include("triage_app.api.urls")),
]

handler404 = "controltower.api.errors.json_404"
handler500 = "controltower.api.errors.json_500"
