from django.urls import path

from . import views

urlpatterns = [
    path("api/aggregate/alerts", views.AlertListView.as_view(), name="alerts"),
    path("api/aggregate/alerts/evaluate", views.EvaluateView.as_view(), name="alerts-evaluate"),
    path("api/aggregate/alerts/<str:alert_id>", views.AlertDetailView.as_view(), name="alert"),
    path(
        "api/aggregate/alerts/<str:alert_id>/acknowledge",
        views.AcknowledgeView.as_view(),
        name="alert-acknowledge",
    ),
    path("api/aggregate/alerts/<str:alert_id>/snooze", views.SnoozeView.as_view(), name="alert-snooze"),
    path("api/aggregate/alerts/<str:alert_id>/resolve", views.ResolveView.as_view(), name="alert-resolve"),
]
