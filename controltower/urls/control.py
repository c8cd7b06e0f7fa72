"""The control tier's routes: identity, schema and admin, `/api/aggregate/*` (fan-out to the
sources) and the ops pages. None of the source API's own routes: this tier has no warehouse of
its own and its governance store holds no governance (that lives on the sources)."""

from django.urls import include, path

from .common import identity_routes

SCHEMA = {
    "TITLE": "Control Tower control tier API",
    "DESCRIPTION": "Every source at once: /api/aggregate/* fans out to the configured sources, "
    "merges their answers and marks degraded sources in _meta.",
}

urlpatterns = [
    *identity_routes(SCHEMA),
    path("", include("aggregate_app.api.urls")),
    path("", include("alerting_app.urls")),  # before the ops pages: /ops/alerts/ is its own page
    path("", include("aggregate_app.pages.urls")),
]

handler404 = "controltower.api.errors.json_404"
handler500 = "controltower.api.errors.json_500"
