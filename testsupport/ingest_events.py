"""OpenLineage event bodies for the ingest tests, as a producer would send them (JSON dicts)."""

import uuid

PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0"
RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def run_event(
    event_type: str | None = "START",
    *,
    run_id: str | None = None,
    when: str = "2026-11-20T10:00:00Z",
    namespace: str = "airflow-prod",
    job: str = "finance_daily.load_ledger",
    inputs: list | None = None,
    outputs: list | None = None,
    run_facets: dict | None = None,
    job_facets: dict | None = None,
) -> dict:
    body = {
        "eventTime": when,
        "producer": PRODUCER,
        "schemaURL": RUN_EVENT_SCHEMA,
        "run": {"runId": run_id or str(uuid.uuid4()), "facets": run_facets or {}},
        "job": {"namespace": namespace, "name": job, "facets": job_facets or {}},
        "inputs": inputs or [],
        "outputs": outputs or [],
    }
    if event_type is not None:
        body["eventType"] = event_type
    return body


def dataset(name: str, namespace: str = "snowflake://acme.ap-southeast-2", **facets) -> dict:
    return {"namespace": namespace, "name": name, "facets": facets}


def error_facet(message: str, stack: str | None = None) -> dict:
    facet = {
        "_producer": PRODUCER,
        "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
        "message": message,
        "programmingLanguage": "python",
    }
    if stack:
        facet["stackTrace"] = stack
    return {"errorMessage": facet}
