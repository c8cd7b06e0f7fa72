"""Filters for the audit histories and the runbook governance list (query-string driven)."""

import django_filters

from .choices import AuditAction, RunbookState, Scope
from .models import RunbookGovernance


class AuditEventFilterSet(django_filters.FilterSet):
    """?action=&scope=&target_id= (or target=)&changed_by=&request_id=&since=&until= (ISO 8601).
    Works on any audit model's queryset (declared filters only)."""

    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    scope = django_filters.ChoiceFilter(choices=Scope.choices)
    target_id = django_filters.CharFilter()
    target = django_filters.CharFilter(field_name="target_id")
    changed_by = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="changed_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="changed_at", lookup_expr="lt")


class RunbookGovernanceFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RunbookState.choices)
    pipeline_id = django_filters.CharFilter()
    owner = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = RunbookGovernance
        fields: list = []
