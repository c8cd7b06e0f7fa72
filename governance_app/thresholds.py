"""What pipelines_app.sla asks governance (settings.CT_SLA_THRESHOLDS_PROVIDER names `assigned`):
the thresholds of the SLA profile assigned to a pipeline (by pipeline, team or domain), or None
when nothing is assigned.

SLA evaluation asks once per pipeline, so within one request the active assignments are read once
(keyed by the request id and a write generation this process bumps when an assignment changes);
outside a request each lookup reads them with one query (a small indexed one for a single pipeline)."""

import logging
import threading
from collections.abc import Callable

from controltower.middleware import current_request_id
from pipelines_app import sla_assignments
from pipelines_app.sla import SlaThresholds

from .models import PolicyAssignment
from .policies import PROFILES
from .resolution import ActiveAssignments

_local = threading.local()
_generation = 0
log = logging.getLogger(__name__)


def invalidate() -> None:
    """Forget cached assignments (actions call this when an assignment commits)."""
    global _generation
    _generation += 1


def changed() -> None:
    """After an assignment changes: forget cached ones and rewrite the warehouse's SLA_ASSIGNMENTS
    (SLA status is decided in SQL). The governance write stands when the warehouse cannot be
    reached; `manage.py warehouse_init` brings the table back in step."""
    invalidate()
    try:
        sla_assignments.sync()
    except Exception as exc:  # the governance write is what counts; the warehouse copy is repaired later
        log.warning("SLA_ASSIGNMENTS not rewritten (%s); run manage.py warehouse_init", exc)


def assignment_rows() -> list[tuple]:
    """Every active policy assignment with its profile's thresholds (CT_SLA_ASSIGNMENTS_PROVIDER)."""
    rows = []
    for row in PolicyAssignment.objects.active().order_by("scope", "target_id"):
        t = PROFILES[row.profile]
        rows.append(
            (
                row.scope,
                row.target_id,
                t.source,
                t.freshness_sla_minutes,
                t.max_duration_minutes,
                t.max_breach_ratio,
            )
        )
    return rows


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


def assigned(pipelines: list[dict]) -> Callable[[dict], SlaThresholds | None]:
    """The lookup pipelines_app.sla uses for these pipelines: a pipeline's assigned profile's
    thresholds (`source` is the profile name), or None. The active assignments are read once (or
    taken from the request's), not looked up again per pipeline."""
    assignments = _request_assignments()
    if assignments is None:
        if len(pipelines) == 1:
            assignments = ActiveAssignments.for_pipeline(PolicyAssignment, pipelines[0])
        else:
            assignments = ActiveAssignments(PolicyAssignment)

    def lookup(pipeline: dict) -> SlaThresholds | None:
        row = assignments.resolve(pipeline)
        return PROFILES[row.profile] if row else None

    return lookup
