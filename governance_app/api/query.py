"""Governance's query strings, declared once (controltower.api.query): each Serializer validates a
view's query string and is the schema's list of its query parameters. The ORM-backed histories and
runbook governance list filter with django-filter (governance_app/filtersets.py)."""

from rest_framework import serializers

from controltower.api.query import ChoiceQuery, FlagQuery, IntegerQuery, PageQuery, TextQuery

from .. import dq
from ..choices import ExceptionState, ExceptionStatus, Scope

LIVE_STATUSES = [s for s in ExceptionStatus.values if s != ExceptionStatus.NONE]


class ExportQuery(serializers.Serializer):
    export_format = ChoiceQuery(
        ["json", "csv"], help_text="json (the default) or csv; `Accept: text/csv` works too."
    )


class AttributeQuery(PageQuery):
    """Exact (case-insensitive) matches on a pipeline's attributes."""

    pipeline_id = TextQuery()
    team = TextQuery()
    domain = TextQuery()
    criticality = TextQuery()


class DQEffectiveQuery(AttributeQuery):
    status = ChoiceQuery(["pass", "fail", "waived"])
    standard = ChoiceQuery(dq.STANDARDS, help_text="only pipelines failing this standard")


class PolicyEffectiveQuery(AttributeQuery):
    exception_state = ChoiceQuery(ExceptionState.values)
    mismatch = FlagQuery(help_text="only pipelines whose assigned profile is (or is not) the recommended one")


class StandardsQuery(PageQuery):
    scope = ChoiceQuery(Scope.values)
    target_id = TextQuery()
    include_inactive = FlagQuery(default=False, help_text="removed standards too")


class RegisterQuery(PageQuery):
    status = ChoiceQuery(LIVE_STATUSES)
    scope = ChoiceQuery(Scope.values)
    target_id = TextQuery()
    include_inactive = FlagQuery(default=False, help_text="ended exceptions too")


class ReviewQueueQuery(PageQuery):
    within_days = IntegerQuery(0, 365, default=7, help_text="due within this many days")
    kind = ChoiceQuery(["policy", "dq", "all"], default="all")


class RunbookCatalogQuery(PageQuery):
    search = TextQuery()
    team = TextQuery()
    domain = TextQuery()
    criticality = TextQuery()
    owner = TextQuery()
    include_missing = FlagQuery(default=True, help_text="pipelines without a runbook too")


class ScorecardFilterQuery(serializers.Serializer):
    team = TextQuery()
    grade = ChoiceQuery(["A", "B", "C", "D", "F"])


class ScorecardQuery(ScorecardFilterQuery, PageQuery):
    pass


class ScorecardExportQuery(ScorecardFilterQuery, ExportQuery):
    pass


class PostureTrendQuery(serializers.Serializer):
    days = IntegerQuery(1, 90, default=30)


class ExecutiveReportQuery(serializers.Serializer):
    days = IntegerQuery(1, 90, default=7)
    view = ChoiceQuery(["json", "html"], default="json")
