"""Dependency probes for /health: each returns {"status": ok|degraded|not_configured, ...}.

The kernel probes the governance database and the broker; an app that owns a dependency registers
its probe from its AppConfig.ready() (pipelines_app: the warehouse)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
_probes: dict[str, Callable[[], dict]] = {}


def register_probe(name: str, probe: Callable[[], dict]) -> None:
    """Report `probe()` as `name` in /health; a probe that answers "degraded" degrades the whole."""
    _probes[name] = probe


def check_database() -> dict:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return {"status": "ok", "engine": connection.vendor}
    except Exception as exc:  # any driver error means the store is not serving
        log.warning("health: governance database unavailable: %s", exc)
        return {"status": "degraded", "engine": connection.vendor, "error": type(exc).__name__}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_DIR / "queue"
        ok = folder.is_dir()
        return {"status": "ok" if ok else "degraded", "transport": "filesystem"}
    from kombu import Connection

    transport = url.split("://", 1)[0]
    try:
        with Connection(url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return {"status": "ok", "transport": transport}
    except Exception as exc:
        log.warning("health: broker unavailable: %s", type(exc).__name__)
        return {"status": "degraded", "transport": transport, "error": type(exc).__name__}


def health_report() -> dict:
    checks = {
        "database": check_database(),
        **{name: probe() for name, probe in _probes.items()},
        "broker": check_broker(),
    }
    degraded = any(c["status"] == "degraded" for c in checks.values())
    return {"status": "degraded" if degraded else "ok", **checks}
