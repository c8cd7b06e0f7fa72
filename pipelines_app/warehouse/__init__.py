"""The telemetry warehouse: one query layer, backends chosen by settings (CT_WAREHOUSE_BACKEND).

from pipelines_app.warehouse import get_warehouse
rows = get_warehouse().fetch_all("SELECT pipeline_id FROM PIPELINES WHERE team = ?", [team])
"""

import threading
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Warehouse, WarehouseUnavailable

BACKENDS = {
    "duckdb": "pipelines_app.warehouse.duckdb_backend.DuckDBWarehouse",
    "snowflake": "pipelines_app.warehouse.snowflake_backend.SnowflakeWarehouse",
}

_lock = threading.Lock()
_instance: Warehouse | None = None


def build_warehouse() -> Warehouse:
    backend = settings.CT_WAREHOUSE_BACKEND
    if backend == "none":
        raise WarehouseUnavailable(
            "This deployment has no telemetry warehouse (CT_WAREHOUSE_BACKEND=none).",
            setting="CT_WAREHOUSE_BACKEND",
        )
    if backend not in BACKENDS:
        raise WarehouseUnavailable(
            f"Unknown CT_WAREHOUSE_BACKEND {backend!r}; use one of {', '.join(BACKENDS)} or none.",
            setting="CT_WAREHOUSE_BACKEND",
        )
    cls = import_string(BACKENDS[backend])
    if backend == "duckdb":
        return cls(settings.CT_DUCKDB_PATH)
    return cls(settings.SNOWFLAKE, timeout_s=settings.CT_WAREHOUSE_QUERY_TIMEOUT_S)


# Called with the process-wide warehouse when it is opened (pipelines_app.apps adds ingest's).
on_open: list[Callable[[Warehouse], None]] = []


def get_warehouse() -> Warehouse:
    """The process-wide warehouse (connections are reused)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                instance = build_warehouse()
                for opened in on_open:
                    opened(instance)
                _instance = instance
    return _instance


def reset_warehouse() -> None:
    """Close and forget the process-wide warehouse (tests, settings changes)."""
    global _instance
    with _lock:
        if _instance is not None:
            _instance.close()
        _instance = None


__all__ = ["Warehouse", "WarehouseUnavailable", "get_warehouse", "reset_warehouse", "build_warehouse"]
