"""The control tier's routes, and the one table of which source route and merge rule each uses.

`mirror(source_path, RULE)` reads `source_path` from the selected sources (`?source=` a name,
`both` or `all`; default every source) and merges the answers (rules: aggregate_app/merge).
`write(source_path, role)` forwards a POST to the sources the caller names (`source` required),
after checking the caller holds `role` here, as the source itself would.
"""

from django.urls import path

from controltower.roles import GOVERNANCE_ADMIN, LINEAGE_WRITE, OPERATOR
from governance_app.api import serializers as gov
from pipelines_app.api.ingest_views import ANY_ITEMS, EVENT_OR_BATCH

from ..catalog import identity_conflict
from ..merge import (
    BY_SOURCE,
    CONCAT,
    CONSENSUS,
    EXPORT,
    FIRST_FOUND,
    GRAPH,
    POSTURE,
    RUNBOOKS,
    SCORECARDS,
    SERIES,
    SINGLE,
    SUM,
    concat_sorted,
    entity,
)
from .catalog_views import PipelineCatalogView, SummaryView
from .views import DiagnosticsView, DrilldownView, TriageQueryView, mirror, write

NEWEST_CHANGE_FIRST = concat_sorted("changed_at")
PIPELINE = entity("pipeline_id", identity_conflict)
# Costs belong to a deployment: a pipeline run in two clouds has two cost rows, each with its source.
PER_DEPLOYMENT_COST = concat_sorted("cost_aud")

urlpatterns = [
    # identity
    path("api/aggregate/health", mirror("/health", BY_SOURCE)),
    path("api/aggregate/version", mirror("/version", BY_SOURCE)),
    # overview
    path("api/aggregate/summary", SummaryView.as_view()),
    path("api/aggregate/pipelines", PipelineCatalogView.as_view()),
    path("api/aggregate/pipelines/<str:pipeline_id>", mirror("/api/pipelines/{pipeline_id}", PIPELINE)),
    path(
        "api/aggregate/pipelines/<str:pipeline_id>/runs", mirror("/api/pipelines/{pipeline_id}/runs", SINGLE)
    ),
    path("api/aggregate/runs/<str:run_id>", mirror("/api/runs/{run_id}", FIRST_FOUND)),
    path("api/aggregate/incidents", mirror("/api/incidents", concat_sorted("detected_ts"))),
    path("api/aggregate/incidents/daily", mirror("/api/incidents/daily", SERIES)),
    path("api/aggregate/datasets", mirror("/api/datasets", concat_sorted("name", descending=False))),
    path("api/aggregate/datasets/stale", mirror("/api/datasets/stale", concat_sorted("overdue_minutes"))),
    path("api/aggregate/datasets/<str:dataset_id>", mirror("/api/datasets/{dataset_id}", FIRST_FOUND)),
    path(
        "api/aggregate/datasets/<str:dataset_id>/columns",
        mirror("/api/datasets/{dataset_id}/columns", FIRST_FOUND),
    ),
    # SLA
    path(
        "api/aggregate/pipelines/<str:pipeline_id>/sla", mirror("/api/pipelines/{pipeline_id}/sla", BY_SOURCE)
    ),
    path("api/aggregate/sla/pipelines", mirror("/api/sla/pipelines", CONCAT)),
    # impact
    path(
        "api/aggregate/pipelines/<str:pipeline_id>/impact",
        mirror("/api/pipelines/{pipeline_id}/impact", GRAPH),
    ),
    path(
        "api/aggregate/pipelines/<str:pipeline_id>/lineage",
        mirror("/api/pipelines/{pipeline_id}/lineage", GRAPH),
    ),
    # costs
    path("api/aggregate/costs", mirror("/api/costs", SUM)),
    path("api/aggregate/costs/trend", mirror("/api/costs/trend", SERIES)),
    # merged in the sources' own order (ratio), so each merged page is exact
    path("api/aggregate/costs/anomalies", mirror("/api/costs/anomalies", concat_sorted("ratio"))),
    path("api/aggregate/costs/pipelines", mirror("/api/costs/pipelines", PER_DEPLOYMENT_COST)),
    path("api/aggregate/pipelines/<str:pipeline_id>/cost", mirror("/api/pipelines/{pipeline_id}/cost", SUM)),
    path(
        "api/aggregate/costs/anomalies/investigate/<str:pipeline_id>",
        mirror("/api/costs/anomalies/investigate/{pipeline_id}", BY_SOURCE),
    ),
    # ingest (to the named sources)
    path(
        "api/aggregate/v1/lineage",
        write("/api/v1/lineage", OPERATOR, {"application/json": EVENT_OR_BATCH}, LINEAGE_WRITE),
    ),
    path(
        "api/aggregate/v1/lineage/batch",
        write("/api/v1/lineage/batch", OPERATOR, {"application/json": ANY_ITEMS}, LINEAGE_WRITE),
    ),
    path("api/aggregate/lineage/events", mirror("/api/lineage/events", concat_sorted("event_time"))),
    path("api/aggregate/lineage/coverage", mirror("/api/lineage/coverage", BY_SOURCE)),
    # triage
    path("api/aggregate/explain/run/<str:run_id>", mirror("/api/explain/run/{run_id}", FIRST_FOUND)),
    path("api/aggregate/triage/query", TriageQueryView.as_view()),
    path("api/aggregate/triage/assisted/telemetry", mirror("/api/triage/assisted/telemetry", BY_SOURCE)),
    path(
        "api/aggregate/triage/assisted/provider/status",
        mirror("/api/triage/assisted/provider/status", BY_SOURCE),
    ),
    # runbooks
    path("api/aggregate/runbooks", mirror("/api/runbooks", RUNBOOKS)),
    path("api/aggregate/runbooks/governance", mirror("/api/runbooks/governance", CONCAT)),
    path(
        "api/aggregate/runbooks/governance/upsert",
        write("/api/runbooks/governance/upsert", OPERATOR, gov.RunbookUpsertSerializer),
    ),
    path(
        "api/aggregate/runbooks/governance/remove",
        write("/api/runbooks/governance/remove", OPERATOR, gov.RunbookRemoveSerializer),
    ),
    path(
        "api/aggregate/runbooks/governance/history",
        mirror("/api/runbooks/governance/history", NEWEST_CHANGE_FIRST),
    ),
    # policies
    path("api/aggregate/policies/profiles", mirror("/api/policies/profiles", CONSENSUS)),
    path(
        "api/aggregate/policies/profiles/assign",
        write("/api/policies/profiles/assign", GOVERNANCE_ADMIN, gov.AssignSerializer),
    ),
    path(  # the short form, as on the sources
        "api/aggregate/policies/assign", write("/api/policies/assign", GOVERNANCE_ADMIN, gov.AssignSerializer)
    ),
    path(
        "api/aggregate/policies/profiles/remove",
        write("/api/policies/profiles/remove", GOVERNANCE_ADMIN, gov.TargetSerializer),
    ),
    path(  # the short form, as on the sources
        "api/aggregate/policies/remove", write("/api/policies/remove", GOVERNANCE_ADMIN, gov.TargetSerializer)
    ),
    path("api/aggregate/policies/effective", mirror("/api/policies/effective", BY_SOURCE)),
    path("api/aggregate/policies/history", mirror("/api/policies/history", NEWEST_CHANGE_FIRST)),
    path("api/aggregate/policies/history/export", mirror("/api/policies/history/export", EXPORT)),
    path(
        "api/aggregate/policies/exceptions/review",
        write("/api/policies/exceptions/review", GOVERNANCE_ADMIN, gov.ReviewSerializer),
    ),
    path("api/aggregate/policies/exceptions/register", mirror("/api/policies/exceptions/register", CONCAT)),
    path("api/aggregate/policies/review-queue", mirror("/api/policies/review-queue", CONCAT)),
    # data quality
    path("api/aggregate/dq/standards", mirror("/api/dq/standards", CONCAT)),
    path(
        "api/aggregate/dq/standards/upsert",
        write("/api/dq/standards/upsert", GOVERNANCE_ADMIN, gov.DQUpsertSerializer),
    ),
    path(
        "api/aggregate/dq/standards/remove",
        write("/api/dq/standards/remove", GOVERNANCE_ADMIN, gov.TargetSerializer),
    ),
    path("api/aggregate/dq/effective", mirror("/api/dq/effective", BY_SOURCE)),
    path(
        "api/aggregate/dq/exceptions/review",
        write("/api/dq/exceptions/review", GOVERNANCE_ADMIN, gov.ReviewSerializer),
    ),
    path("api/aggregate/dq/history", mirror("/api/dq/history", NEWEST_CHANGE_FIRST)),
    path("api/aggregate/dq/exceptions/register", mirror("/api/dq/exceptions/register", CONCAT)),
    # scorecards
    path("api/aggregate/scorecards/teams", mirror("/api/scorecards/teams", SCORECARDS)),
    path("api/aggregate/scorecards/teams/export", mirror("/api/scorecards/teams/export", EXPORT)),
    # governance posture and reports
    path("api/aggregate/governance/posture", mirror("/api/governance/posture", POSTURE)),
    path("api/aggregate/governance/posture/trend", mirror("/api/governance/posture/trend", BY_SOURCE)),
    path("api/aggregate/governance/export/bundle", mirror("/api/governance/export/bundle", EXPORT)),
    path("api/aggregate/governance/report/executive", mirror("/api/governance/report/executive", BY_SOURCE)),
    # control tier only
    path("api/aggregate/governance/drilldown", DrilldownView.as_view()),
    path("api/aggregate/ops/diagnostics", DiagnosticsView.as_view()),
]
