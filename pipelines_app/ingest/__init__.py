"""OpenLineage ingest: RunEvents (and Job/Dataset events) from Airflow, dbt, Spark or any
openlineage-python client become PIPELINES, PIPELINE_RUNS, DATASETS and LINEAGE_EDGES rows.

validate.py checks an event against spec 2-0-2 and maps it to records (records.py, facets.py);
store.py writes records with idempotent upserts (sql.py) inside one transaction (tx.py);
ownership.py refuses a run id another job owns; raw.py keeps the events as received (retention);
commit.py groups concurrent writers; applier.py, on DuckDB, answers once events are kept as
received and applies them moments later; service.py is what the API calls. See docs/openlineage.md.
"""

from .fields import EventError
from .ownership import RunIdConflict
from .service import BatchResult, NotStored, ingest_batch, ingest_event

__all__ = ["EventError", "RunIdConflict", "BatchResult", "NotStored", "ingest_batch", "ingest_event"]
