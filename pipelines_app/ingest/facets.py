"""Facets -> OBS attributes.

Job facets give a new pipeline its team / domain / owner / criticality / platform, in this order of
precedence: the `controlTower` custom facet (`{"team", "domain", "owner", "criticality",
"runbookUrl"}`), then `tags` (keys team / domain / owner / criticality), then `ownership`
(`team:<name>` owners give the team, other owners — `user:<name>` or plain — the owner).
`jobType.integration` (or, failing that, the producer URL) gives the platform.

Descriptive facets are read when well-formed and otherwise ignored; the facets that set run fields
(`errorMessage`, `nominalTime`) and our own `controlTower` facet are validated.

Every reader below names the facet it maps in its `@reads(...)` decorator, which hands it that facet
and records the name in MAPPED: the facet coverage report (GET /api/lineage/coverage) takes "which
facets Control Tower maps" from there, so the list cannot drift from the code that reads them.
"""

import functools
import re

from ..links import web_url
from .fields import EventError, obj, text, timestamp

CRITICALITIES = ("critical", "high", "medium", "low")
PLATFORMS = ("airflow", "dbt", "spark", "flink", "dagster", "glue", "adf", "databricks", "snowflake")
DATASET_KINDS = {
    "TABLE": "table",
    "VIEW": "view",
    "MATERIALIZED_VIEW": "view",
    "DASHBOARD": "dashboard",
    "REPORT": "report",
    "MODEL": "ml_model",
    "ML_MODEL": "ml_model",
}
MAX_ERROR_MESSAGE = 4000
MAX_ROWS = 10**18 - 1  # PIPELINE_RUNS.rows_processed is NUMBER(18, 0)
# Error codes a person can search for, most specific first.
ERROR_CODE_PATTERNS = (
    re.compile(r"\b(\d{6}) \([0-9A-Z]{5}\)"),  # Snowflake: "002003 (42S02): SQL compilation error"
    re.compile(r"\b(ORA-\d{5})\b"),
    re.compile(r"SQLSTATE[\s:=\[]*([0-9A-Z]{5})\b"),
    re.compile(r"^\s*(?:[\w$]+\.)*([A-Z]\w*(?:Error|Exception|Timeout|Failure|Exit))\b", re.M),
)


# Facet names this module maps, by where they sit: run facets, job facets, dataset facets (including
# inputFacets / outputFacets). Filled by @reads.
MAPPED: dict[str, set[str]] = {"run": set(), "job": set(), "dataset": set()}


def reads(name: str, *kinds: str):
    """Decorate a reader of facet `name` (found under `kinds`): it is called with that facet's value
    (None when absent) instead of the whole facets object."""

    def decorate(reader):
        for kind in kinds:
            MAPPED[kind].add(name)

        @functools.wraps(reader)
        def read(facets, *args):
            return reader(facets.get(name) if isinstance(facets, dict) else None, *args)

        return read

    return decorate


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@reads("ownership", "job", "dataset")
def _from_ownership(facet) -> dict:
    found: dict = {}
    owners = _dict(facet).get("owners")
    for entry in owners if isinstance(owners, list) else []:
        name = _str(entry.get("name")) if isinstance(entry, dict) else None
        if not name:
            continue
        prefix, _, rest = name.partition(":")
        if rest and prefix.lower() == "team":
            found.setdefault("team", rest)
        else:
            found.setdefault(
                "owner", rest if rest and prefix.lower() in ("user", "person", "email") else name
            )
    return found


@reads("tags", "job")
def _from_tags(facet) -> tuple[dict, str | None]:
    found, labels = {}, []
    tags = _dict(facet).get("tags")
    for tag in tags if isinstance(tags, list) else []:
        key = _str(tag.get("key")) if isinstance(tag, dict) else None
        if not key:
            continue
        value = _str(tag.get("value"))
        labels.append(f"{key}:{value}" if value else key)
        if value and key.lower() in ("team", "domain", "owner", "criticality"):
            found[key.lower()] = value.lower() if key.lower() == "criticality" else value
    return found, ",".join(labels) or None


@reads("controlTower", "job")
def _from_control_tower(value) -> dict:
    if value is None:
        return {}
    facet = obj(value, "job.facets.controlTower")
    where = "job.facets.controlTower"
    found = {
        "team": text(facet, "team", f"{where}.team", required=False),
        "domain": text(facet, "domain", f"{where}.domain", required=False),
        "owner": text(facet, "owner", f"{where}.owner", required=False),
        "criticality": text(facet, "criticality", f"{where}.criticality", required=False),
        "runbook_url": text(facet, "runbookUrl", f"{where}.runbookUrl", required=False),
    }
    if found["criticality"] and found["criticality"].lower() not in CRITICALITIES:
        raise EventError(f"{where}.criticality", f"must be one of {', '.join(CRITICALITIES)}.")
    if found["runbook_url"] and not web_url(found["runbook_url"]):
        raise EventError(f"{where}.runbookUrl", "must be an http(s) URL with a host.")
    return {k: (v.lower() if k == "criticality" else v) for k, v in found.items() if v}


@reads("jobType", "job")
def _platform(facet, producer: str) -> str | None:
    integration = _str(_dict(facet).get("integration"))
    if integration:
        return integration.lower()
    lowered = producer.lower()
    return next((p for p in PLATFORMS if p in lowered), None)


def pipeline_attributes(job_facets: dict, producer: str) -> dict:
    """team, domain, owner, criticality, runbook_url, platform, tags (None when unknown)."""
    tagged, labels = _from_tags(job_facets)
    merged = {**_from_ownership(job_facets), **tagged, **_from_control_tower(job_facets)}
    if merged.get("criticality") not in CRITICALITIES:
        merged.pop("criticality", None)
    return {**merged, "platform": _platform(job_facets, producer), "tags": labels}


@reads("datasetType", "dataset")
def _dataset_kind(facet) -> str | None:
    raw_kind = _str(_dict(facet).get("datasetType"))
    return DATASET_KINDS.get(raw_kind.upper().replace(" ", "_")) if raw_kind else None


def dataset_attributes(facets: dict) -> dict:
    """kind (from datasetType), owner and team (from ownership)."""
    if "datasetType" not in facets and "ownership" not in facets:  # most datasets
        return {"kind": None}
    return {"kind": _dataset_kind(facets), **_from_ownership(facets)}


def error_code_for(message: str, stack_trace: str | None = None) -> str | None:
    for source in (message, stack_trace or ""):
        for pattern in ERROR_CODE_PATTERNS:
            match = pattern.search(source)
            if match:
                return match.group(1)[:64]
    return None


@reads("errorMessage", "run")
def run_error(value) -> tuple[str | None, str | None]:
    """(error_message, error_code) from the errorMessage run facet."""
    if value is None:
        return None, None
    facet = obj(value, "run.facets.errorMessage")
    message = text(facet, "message", "run.facets.errorMessage.message")
    stack = facet.get("stackTrace") if isinstance(facet.get("stackTrace"), str) else None
    return message[:MAX_ERROR_MESSAGE], error_code_for(message, stack)


@reads("nominalTime", "run")
def nominal_time(value):
    if value is None:
        return None
    facet = obj(value, "run.facets.nominalTime")
    return timestamp(facet, "nominalStartTime", "run.facets.nominalTime.nominalStartTime")


def rows_written(outputs: list) -> int | None:
    """Sum of outputStatistics.rowCount over the outputs that report it."""
    counts = []
    for output in outputs:
        facets = output.get("outputFacets") if isinstance(output, dict) else None
        count = _row_count(facets) if facets else None
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_ROWS:
            counts.append(count)
    return min(sum(counts), MAX_ROWS) if counts else None


@reads("outputStatistics", "dataset")
def _row_count(facet):
    return _dict(facet).get("rowCount")
