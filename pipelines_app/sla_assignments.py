"""SLA_ASSIGNMENTS: the SLA profiles governance assigns, kept in the warehouse so that SLA status is
decided in SQL (sla.py) and a list, a count or an incident page reads only the pipelines it needs.

Governance sits above this app: the rows come from the provider named by the
CT_SLA_ASSIGNMENTS_PROVIDER setting (a dotted path to a callable answering
`(scope, target_id, profile, freshness_sla_minutes, max_duration_minutes, max_breach_ratio)` rows for
its active assignments; empty for none). Governance calls `sync()` whenever an assignment changes;
`manage.py warehouse_init` and the demo loader call it too, so a new or reloaded warehouse starts
in step."""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError
from django.utils.module_loading import import_string

from .warehouse import get_warehouse
from .warehouse.base import Warehouse

log = logging.getLogger(__name__)
_writing = threading.Lock()  # one rewrite at a time in this process (concurrent governance writes)
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
    with _writing:
        rows = provided_rows()
        wh.execute("DELETE FROM SLA_ASSIGNMENTS")
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            wh.executemany(f"INSERT INTO SLA_ASSIGNMENTS ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return len(rows)


def sync_report(warehouse: Warehouse) -> str:
    """sync() for the commands that build a warehouse: a line saying what it wrote, or why it could
    not read governance (its database not migrated yet: run the command again after `migrate`)."""
    try:
        return f"SLA_ASSIGNMENTS: {sync(warehouse)} assignment(s) from governance"
    except DatabaseError as exc:
        return f"SLA_ASSIGNMENTS: not written, governance store not ready ({str(exc).splitlines()[0]})"
