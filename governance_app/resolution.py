"""Resolution precedence shared by policies and DQ standards: pipeline > team > domain > default."""

from django.db.models import Q

from .choices import SCOPE_PRECEDENCE, Scope
from .models.base import Assignment

_TARGET_KEY = {Scope.PIPELINE: "pipeline_id", Scope.TEAM: "team", Scope.DOMAIN: "domain"}


def target_of(pipeline: dict, scope: str) -> str | None:
    """The id a pipeline is known by at `scope`: its id, its team or its domain."""
    return pipeline.get(_TARGET_KEY[scope]) or None


class ActiveAssignments:
    """Every active row of an assignment model, loaded with one query and indexed by (scope, target)."""

    def __init__(self, model: type[Assignment], rows=None):
        rows = model.objects.active() if rows is None else rows
        self.rows = {(r.scope, r.target_id): r for r in rows}

    @classmethod
    def for_pipeline(cls, model: type[Assignment], pipeline: dict) -> "ActiveAssignments":
        """Only the rows that can apply to one pipeline (at most three)."""
        match = Q(pk__in=[])
        for scope in SCOPE_PRECEDENCE:
            if target := target_of(pipeline, scope):
                match |= Q(scope=scope, target_id=target)
        return cls(model, model.objects.active().filter(match))

    def chain(self, pipeline: dict) -> list[Assignment]:
        """The rows that apply to the pipeline, most specific first."""
        if not self.rows:  # nothing assigned: every pipeline gets the default (SLA asks per pipeline)
            return []
        found = []
        for scope in SCOPE_PRECEDENCE:
            target = target_of(pipeline, scope)
            if target and (scope, target) in self.rows:
                found.append(self.rows[(scope, target)])
        return found

    def resolve(self, pipeline: dict) -> Assignment | None:
        """The most specific row that applies, or None (the default applies)."""
        chain = self.chain(pipeline)
        return chain[0] if chain else None
