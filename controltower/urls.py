from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import HealthView, VersionView

urlpatterns = [
    path("health", HealthView.as_view(), name="health"),
    path("version", VersionView.as_view(), name="version"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("", include("pipelines_app.api.urls")),
    path("", include("pipelines_app.api.ingest_urls")),
    path("", include("governance_app.api.urls")),
    path("", include("triage_app.api.urls")),
    path("", include("aggregate_app.api.urls")),
    path("", include("aggregate_app.pages.urls")),
]

handler404 = "controltower.api.errors.json_404"
handler500 = "controltower.api.errors.json_500"
