"""OpenLineage ingest routes, at the paths the openlineage-python client and Marquez use."""

from django.urls import path

from .ingest_views import LineageBatchView, LineageView

urlpatterns = [
    path("api/v1/lineage", LineageView.as_view(), name="openlineage-ingest"),
    path("api/v1/lineage/batch", LineageBatchView.as_view(), name="openlineage-ingest-batch"),
]
