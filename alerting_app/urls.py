"""Alerting's routes on the control tier: the API and the Alerts page."""

from django.urls import include, path

from . import pages

urlpatterns = [
    path("", include("alerting_app.api.urls")),
    path("ops/alerts/", pages.alerts, name="alerts-page"),
    path("ops/alerts/<int:alert_id>/", pages.alert, name="alert-page"),
    path("ops/alerts/<int:alert_id>/<str:verb>/", pages.act, name="alert-act"),
]
