"""The governance store's data version, for the response cache (controltower/response_cache.py).

Every governance change (assignments, exceptions and their reviews, DQ standards, runbook
governance, the expiry job) appends an audit row in the same transaction, so the audit tables say
when answers may have changed: their row counts and highest ids, read in one statement (~30 us on
SQLite) — the count too, because ids from a sequence can commit out of order. With a shared cache
(Redis) the version is a token there instead, replaced when a transaction that wrote an audit row
commits."""

from django.db import connection, transaction
from django.db.models.signals import post_save

from controltower.response_cache import bump_shared, cache_is_shared, shared_version

from .models import DQAuditEvent, PolicyAuditEvent, RunbookAuditEvent

NAME = "governance"
AUDIT_MODELS = (PolicyAuditEvent, DQAuditEvent, RunbookAuditEvent)


def current() -> str:
    if cache_is_shared():
        return shared_version(NAME)
    tables = [m._meta.db_table for m in AUDIT_MODELS]
    parts = ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(id) FROM {t})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return ".".join(str(v or 0) for v in cursor.fetchone())


def _audit_row_written(sender, **kwargs) -> None:
    transaction.on_commit(lambda: bump_shared(NAME), robust=True)  # a lost cache must not fail the write


def connect() -> None:
    for model in AUDIT_MODELS:
        post_save.connect(_audit_row_written, sender=model, dispatch_uid=f"ct-data-version-{model.__name__}")
