"""A warehouse transaction through the public Warehouse API (BEGIN / COMMIT / ROLLBACK work on
DuckDB and on Snowflake). Both backends keep one connection per thread, so the statements run on
the calling thread's connection; callers must not hand the transaction to another thread.
Candidate to move into the Warehouse class as `Warehouse.transaction()`."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pipelines_app.warehouse import Warehouse

log = logging.getLogger(__name__)


@contextmanager
def transaction(wh: Warehouse) -> Iterator[Warehouse]:
    """Commit what the block wrote, or roll all of it back if the block (or the commit) fails."""
    wh.execute("BEGIN TRANSACTION")
    try:
        yield wh
        wh.execute("COMMIT")
    except BaseException:
        try:
            wh.execute("ROLLBACK")
        except Exception as exc:  # the connection may be gone; the warehouse drops the transaction then
            log.warning("ingest: rollback failed: %s", exc)
        raise
