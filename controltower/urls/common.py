"""What every tier mounts: /health, /version, /metrics (controltower/observe), the tier's own
OpenAPI schema and Swagger UI, and the admin. The schema view documents the URLconf it is mounted
in, so each tier publishes the routes it serves (`make schema` writes the same documents to
schema.yml / schema-control.yml).

Swagger UI is drf-spectacular's split view: the page loads its init script from `?script`, as the
Content-Security-Policy allows no inline script, and its bundle from this deployment's static
files (drf-spectacular-sidecar), so the docs work offline. ReDoc (/api/redoc/) likewise."""

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ..api_docs import redoc_bundle, redoc_view
from ..observe.exposition import metrics_view
from ..views import HealthView, VersionView, favicon


def identity_routes(schema_settings: dict) -> list:
    """`schema_settings` names the tier's document (SPECTACULAR_SETTINGS keys, e.g. TITLE)."""
    swagger_ui = SpectacularSwaggerSplitView.as_view(
        url_name="schema", title=schema_settings["TITLE"], template_name="api_docs/swagger_ui.html"
    )
    return [
        path("health", HealthView.as_view(), name="health"),
        path("version", VersionView.as_view(), name="version"),
        path("metrics", metrics_view, name="metrics"),  # Prometheus; a plain view, so not in the schema
        path("api/schema/", SpectacularAPIView.as_view(custom_settings=schema_settings), name="schema"),
        path("api/docs/", swagger_ui, name="swagger-ui"),
        # ReDoc, offline too (controltower/api_docs.py: its worker, its styles' nonce, no CDN logo).
        path("api/redoc/", redoc_view(schema_settings["TITLE"]), name="redoc"),
        path("api/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
        path("admin/", admin.site.urls),
        # What browsers ask for on their own (API docs, admin, JSON): the vendored icon, not a 404.
        path("favicon.ico", favicon, name="favicon"),
    ]
