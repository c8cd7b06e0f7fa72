"""What pipelines_app.sla asks governance: the thresholds of the SLA profile assigned to a pipeline
(by pipeline, team or domain), or None when nothing is assigned.

SLA evaluation asks once per pipeline, so within one request the active assignments are read once
(keyed by the request id and a write generation this process bumps when an assignment changes);
outside a request each call is one small indexed query."""

import threading
from collections.abc import Callable

from controltower.middleware import current_request_id

from .models import PolicyAssignment
from .policies import thresholds_for
from .resolution import ActiveAssignments

_local = threading.local()
_generation = 0


def invalidate() -> None:
    """Forget cached assignments (actions call this when an assignment commits)."""
    global _generation
    _generation += 1


def _request_assignments() -> ActiveAssignments | None:
    request_id = current_request_id.get()
    if not request_id:
        return None
    key = (request_id, _generation)
    cached = getattr(_local, "cached", None)
    if cached is None or cached[0] != key:
        cached = (key, ActiveAssignments(PolicyAssignment))
        _local.cached = cached
    return cached[1]


def assigned_profile_thresholds(pipeline: dict) -> dict | None:
    """{freshness_sla_minutes, max_duration_minutes, max_breach_ratio, source=<profile>} or None."""
    assignments = _request_assignments() or ActiveAssignments.for_pipeline(PolicyAssignment, pipeline)
    row = assignments.resolve(pipeline)
    return thresholds_for(pipeline, row) if row else None


def profile_thresholds_lookup() -> Callable[[dict], dict | None]:
    """assigned_profile_thresholds for many pipelines in a row: the active assignments are read
    once (or taken from the request's), not looked up again per pipeline."""
    assignments = _request_assignments() or ActiveAssignments(PolicyAssignment)

    def lookup(pipeline: dict) -> dict | None:
        row = assignments.resolve(pipeline)
        return thresholds_for(pipeline, row) if row else None

    return lookup
