from django.urls import path

from . import views

urlpatterns = [
    path("api/explain/run/<str:run_id>", views.ExplainRunView.as_view(), name="triage-explain-run"),
    path("api/triage/query", views.TriageQueryView.as_view(), name="triage-query"),
    path(
        "api/triage/assisted/telemetry",
        views.AssistedTelemetryView.as_view(),
        name="triage-assisted-telemetry",
    ),
    path(
        "api/triage/assisted/provider/status",
        views.ProviderStatusView.as_view(),
        name="triage-provider-status",
    ),
]
