"""Governance routes: explicit paths, as published in DESIGN.md's endpoint inventory.
Additions beyond the inventory: policies/exceptions/review and runbooks/governance/history.
Canonical write paths: /api/policies/profiles/assign|remove (as the Control Tower document writes
them) and /api/dq/standards/upsert|remove; the short forms (/api/policies/assign, /api/dq/upsert,
...) answer too: the policy ones listed in the schema as deprecated, the DQ ones unlisted."""

from django.urls import path
from drf_spectacular.utils import extend_schema

from .views import dq, policies, reports, runbooks


def alias(view, **schema):
    """The same view under a second path (DESIGN.md's `…/assign` reads both ways): left out of the
    schema, or with `schema` (e.g. deprecated=True) listed that way."""
    return extend_schema(**(schema or {"exclude": True}))(
        type(f"{view.__name__}Alias", (view,), {})
    ).as_view()


def short_form(view, canonical: str):
    return alias(view, deprecated=True, description=f"The short form of `POST {canonical}`, which see.")


urlpatterns = [
    # policies
    path("api/policies/profiles", policies.ProfilesView.as_view(), name="policies-profiles"),
    path("api/policies/profiles/assign", policies.AssignView.as_view(), name="policies-assign"),
    path("api/policies/profiles/remove", policies.RemoveView.as_view(), name="policies-remove"),
    path("api/policies/assign", short_form(policies.AssignView, "/api/policies/profiles/assign")),
    path("api/policies/remove", short_form(policies.RemoveView, "/api/policies/profiles/remove")),
    path("api/policies/effective", policies.EffectiveView.as_view(), name="policies-effective"),
    path("api/policies/history", policies.PolicyHistoryView.as_view(), name="policies-history"),
    path(
        "api/policies/history/export",
        policies.PolicyHistoryExportView.as_view(),
        name="policies-history-export",
    ),
    path(
        "api/policies/exceptions/register",
        policies.ExceptionRegisterView.as_view(),
        name="policies-exceptions",
    ),
    path(
        "api/policies/exceptions/review",
        policies.ExceptionReviewView.as_view(),
        name="policies-exceptions-review",
    ),
    path("api/policies/review-queue", policies.ReviewQueueView.as_view(), name="policies-review-queue"),
    # runbooks
    path("api/runbooks", runbooks.CatalogView.as_view(), name="runbooks"),
    path("api/runbooks/governance", runbooks.GovernanceListView.as_view(), name="runbooks-governance"),
    path(
        "api/runbooks/governance/upsert",
        runbooks.GovernanceUpsertView.as_view(),
        name="runbooks-governance-upsert",
    ),
    path(
        "api/runbooks/governance/remove",
        runbooks.GovernanceRemoveView.as_view(),
        name="runbooks-governance-remove",
    ),
    path(
        "api/runbooks/governance/history",
        runbooks.GovernanceHistoryView.as_view(),
        name="runbooks-governance-history",
    ),
    # data quality
    path("api/dq/standards", dq.StandardsView.as_view(), name="dq-standards"),
    path("api/dq/standards/upsert", dq.UpsertView.as_view(), name="dq-standards-upsert"),
    path("api/dq/standards/remove", dq.RemoveView.as_view(), name="dq-standards-remove"),
    path("api/dq/upsert", alias(dq.UpsertView)),
    path("api/dq/remove", alias(dq.RemoveView)),
    path("api/dq/effective", dq.EffectiveView.as_view(), name="dq-effective"),
    path("api/dq/exceptions/review", dq.ExceptionReviewView.as_view(), name="dq-exceptions-review"),
    path("api/dq/history", dq.DQHistoryView.as_view(), name="dq-history"),
    path("api/dq/exceptions/register", dq.DQExceptionRegisterView.as_view(), name="dq-exceptions"),
    # scorecards and governance
    path("api/scorecards/teams", reports.TeamScorecardsView.as_view(), name="scorecards-teams"),
    path(
        "api/scorecards/teams/export",
        reports.TeamScorecardsExportView.as_view(),
        name="scorecards-teams-export",
    ),
    path("api/governance/posture", reports.PostureView.as_view(), name="governance-posture"),
    path("api/governance/posture/trend", reports.PostureTrendView.as_view(), name="governance-posture-trend"),
    path("api/governance/export/bundle", reports.ExportBundleView.as_view(), name="governance-export-bundle"),
    path(
        "api/governance/report/executive",
        reports.ExecutiveReportView.as_view(),
        name="governance-report-executive",
    ),
]
