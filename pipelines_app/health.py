"""The warehouse's /health probe (registered with controltower.health from PipelinesConfig.ready())."""

import logging

from django.conf import settings

from .warehouse import WarehouseUnavailable, get_warehouse

log = logging.getLogger(__name__)


def check_warehouse() -> dict:
    backend = settings.CT_WAREHOUSE_BACKEND
    if backend == "none":
        return {"status": "not_configured", "backend": backend}
    try:
        get_warehouse().ping()
        return {"status": "ok", "backend": backend}
    except WarehouseUnavailable as exc:
        return {"status": "degraded", "backend": backend, "error": exc.message}
    except Exception as exc:
        log.warning("health: warehouse probe failed: %s", exc)
        return {"status": "degraded", "backend": backend, "error": type(exc).__name__}
