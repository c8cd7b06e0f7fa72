"""SLA_ASSIGNMENTS: the SLA profiles governance assigns, kept in the warehouse so that SLA status is
decided in SQL (sla.py) and a list, a count or an incident page reads only the pipelines it needs.

Governance sits above this app: the rows come from the provider named by the
CT_SLA_ASSIGNMENTS_PROVIDER setting (a dotted path to a callable answering
`(scope, target_id, profile, freshness_sla_minutes, max_duration_minutes, max_breach_ratio)` rows for
its active assignments; empty for none). Governance calls `sync()` whenever an assignment changes;
`manage.py warehouse_init` and the demo loader call it too, so a new or reloaded warehouse starts
in step."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .warehouse import get_warehouse
from .warehouse.base import Warehouse

log = logging.getLogger(__name__)
COLUMNS = (
    "scope",
    "target_id",
    "profile",
    "freshness_sla_minutes",
    "max_duration_minutes",
    "max_breach_ratio",
)


def provided_rows() -> list[tuple]:
    path = getattr(settings, "CT_SLA_ASSIGNMENTS_PROVIDER", "")
    return [tuple(r) for r in import_string(path)()] if path else []


def sync(warehouse: Warehouse | None = None) -> int:
    """Rewrite SLA_ASSIGNMENTS from the provider (a few rows: one per assignment); the row count."""
    wh = warehouse or get_warehouse()
    rows = provided_rows()
    wh.execute("DELETE FROM SLA_ASSIGNMENTS")
    if rows:
        marks = ", ".join("?" for _ in COLUMNS)
        wh.executemany(f"INSERT INTO SLA_ASSIGNMENTS ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return len(rows)
