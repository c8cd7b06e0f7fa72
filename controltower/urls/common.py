"""What every tier mounts: /health, /version, the tier's own OpenAPI schema and Swagger UI, and
the admin. The schema view documents the URLconf it is mounted in, so each tier publishes the
routes it serves (`make schema` writes the same documents to schema.yml / schema-control.yml)."""

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ..views import HealthView, VersionView


def identity_routes(schema_settings: dict) -> list:
    """`schema_settings` names the tier's document (SPECTACULAR_SETTINGS keys, e.g. TITLE)."""
    return [
        path("health", HealthView.as_view(), name="health"),
        path("version", VersionView.as_view(), name="version"),
        path("api/schema/", SpectacularAPIView.as_view(custom_settings=schema_settings), name="schema"),
        path(
            "api/docs/",
            SpectacularSwaggerView.as_view(url_name="schema", title=schema_settings["TITLE"]),
            name="swagger-ui",
        ),
        path("admin/", admin.site.urls),
    ]
