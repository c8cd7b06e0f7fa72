"""Facets -> OBS attributes.

Job facets give a new pipeline its team / domain / owner / criticality / platform, in this order of
precedence: the `controlTower` custom facet (`{"team", "domain", "owner", "criticality",
"runbookUrl"}`), then `tags` (keys team / domain / owner / criticality), then `ownership`
(`team:<name>` owners give the team, other owners — `user:<name>` or plain — the owner).
`jobType.integration` (or, failing that, the producer URL) gives the platform.

Descriptive facets are read when well-formed and otherwise ignored; the facets that set run fields
(`errorMessage`, `nominalTime`) and our own `controlTower` facet are validated.
"""

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


def _facet(facets, name: str) -> dict:
    value = facets.get(name) if isinstance(facets, dict) else None
    return value if isinstance(value, dict) else {}


def _str(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _from_ownership(facets: dict) -> dict:
    found: dict = {}
    owners = _facet(facets, "ownership").get("owners")
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


def _from_tags(facets: dict) -> tuple[dict, str | None]:
    found, labels = {}, []
    tags = _facet(facets, "tags").get("tags")
    for tag in tags if isinstance(tags, list) else []:
        key = _str(tag.get("key")) if isinstance(tag, dict) else None
        if not key:
            continue
        value = _str(tag.get("value"))
        labels.append(f"{key}:{value}" if value else key)
        if value and key.lower() in ("team", "domain", "owner", "criticality"):
            found[key.lower()] = value.lower() if key.lower() == "criticality" else value
    return found, ",".join(labels) or None


def _from_control_tower(facets: dict) -> dict:
    facet = obj(facets.get("controlTower"), "job.facets.controlTower", required=False)
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


def _platform(facets: dict, producer: str) -> str | None:
    integration = _str(_facet(facets, "jobType").get("integration"))
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


def dataset_attributes(facets: dict) -> dict:
    """kind (from datasetType), owner and team (from ownership)."""
    raw_kind = _str(_facet(facets, "datasetType").get("datasetType"))
    kind = DATASET_KINDS.get(raw_kind.upper().replace(" ", "_")) if raw_kind else None
    return {"kind": kind, **_from_ownership(facets)}


def error_code_for(message: str, stack_trace: str | None = None) -> str | None:
    for source in (message, stack_trace or ""):
        for pattern in ERROR_CODE_PATTERNS:
            match = pattern.search(source)
            if match:
                return match.group(1)[:64]
    return None


def run_error(run_facets: dict) -> tuple[str | None, str | None]:
    """(error_message, error_code) from the errorMessage run facet."""
    if "errorMessage" not in run_facets:
        return None, None
    facet = obj(run_facets["errorMessage"], "run.facets.errorMessage")
    message = text(facet, "message", "run.facets.errorMessage.message")
    stack = facet.get("stackTrace") if isinstance(facet.get("stackTrace"), str) else None
    return message[:MAX_ERROR_MESSAGE], error_code_for(message, stack)


def nominal_time(run_facets: dict):
    if "nominalTime" not in run_facets:
        return None
    facet = obj(run_facets["nominalTime"], "run.facets.nominalTime")
    return timestamp(facet, "nominalStartTime", "run.facets.nominalTime.nominalStartTime")


def rows_written(outputs: list) -> int | None:
    """Sum of outputStatistics.rowCount over the outputs that report it."""
    counts = []
    for output in outputs:
        stats = _facet(output.get("outputFacets"), "outputStatistics") if isinstance(output, dict) else {}
        count = stats.get("rowCount")
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_ROWS:
            counts.append(count)
    return min(sum(counts), MAX_ROWS) if counts else None
