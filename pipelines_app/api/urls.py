"""Telemetry routes of the source API: explicit paths, a published contract (DESIGN.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/summary", views.SummaryView.as_view(), name="summary"),
    path("api/pipelines", views.PipelineListView.as_view(), name="pipelines"),
    path("api/pipeline-keys", views.PipelineKeysView.as_view(), name="pipeline-keys"),
    path("api/pipelines/<str:pipeline_id>", views.PipelineDetailView.as_view(), name="pipeline"),
    path("api/pipelines/<str:pipeline_id>/runs", views.PipelineRunsView.as_view(), name="pipeline-runs"),
    path("api/pipelines/<str:pipeline_id>/sla", views.PipelineSlaView.as_view(), name="pipeline-sla"),
    path(
        "api/pipelines/<str:pipeline_id>/impact", views.PipelineImpactView.as_view(), name="pipeline-impact"
    ),
    path(
        "api/pipelines/<str:pipeline_id>/lineage",
        views.PipelineLineageView.as_view(),
        name="pipeline-lineage",
    ),
    path("api/pipelines/<str:pipeline_id>/cost", views.PipelineCostView.as_view(), name="pipeline-cost"),
    path("api/runs/<str:run_id>", views.RunDetailView.as_view(), name="run"),
    path("api/incidents", views.IncidentListView.as_view(), name="incidents"),
    path("api/incidents/daily", views.IncidentDailyView.as_view(), name="incidents-daily"),
    path("api/datasets", views.DatasetListView.as_view(), name="datasets"),
    path("api/datasets/stale", views.StaleDatasetListView.as_view(), name="datasets-stale"),
    path("api/datasets/<str:dataset_id>", views.DatasetDetailView.as_view(), name="dataset"),
    path("api/datasets/<str:dataset_id>/columns", views.DatasetColumnsView.as_view(), name="dataset-columns"),
    path("api/sla/pipelines", views.SlaListView.as_view(), name="sla-pipelines"),
    path("api/lineage/events", views.LineageEventListView.as_view(), name="lineage-events"),
    path("api/lineage/coverage", views.LineageCoverageView.as_view(), name="lineage-coverage"),
    path("api/costs", views.CostOverviewView.as_view(), name="costs"),
    path("api/costs/trend", views.CostTrendView.as_view(), name="costs-trend"),
    path("api/costs/pipelines", views.CostPipelinesView.as_view(), name="costs-pipelines"),
    path("api/costs/anomalies", views.CostAnomaliesView.as_view(), name="costs-anomalies"),
    path(
        "api/costs/anomalies/investigate/<str:pipeline_id>",
        views.CostInvestigateView.as_view(),
        name="costs-anomalies-investigate",
    ),
]
