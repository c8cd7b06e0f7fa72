"""The API documents grouped by area: a drf-spectacular postprocessing hook that tags every
operation from its path, in one table, instead of a `tags=` on every view. The tags' order and
descriptions are SPECTACULAR_SETTINGS["TAGS"]; each document lists only the tags it uses.

A control-tier route takes the area of the source route it mirrors (`/api/aggregate/costs` is
under costs, like `/api/costs`), so both tiers' docs read alike; what only the control tier
serves is under `aggregate`."""

import re

AGGREGATE = "/api/aggregate"
CONTROL_ONLY = ("/api/aggregate/governance/drilldown", "/api/aggregate/ops/")
FALLBACK = "other"
# (path pattern, tag), first match wins; a pattern matches the path or the start of it.
AREAS = (
    (r"/health|/version", "identity"),
    (r"/api/pipelines/\{[^}]+\}/runs|/api/runs", "runs"),
    (r"/api/pipelines/\{[^}]+\}/sla|/api/sla/", "sla"),
    (r"/api/pipelines/\{[^}]+\}/cost|/api/costs", "costs"),
    (r"/api/pipelines/\{[^}]+\}/(impact|lineage)|/api/lineage|/api/v1/lineage", "lineage"),
    (r"/api/summary|/api/pipelines|/api/pipeline-keys|/api/datasets", "pipelines"),
    (r"/api/incidents", "incidents"),
    (r"/api/alerts", "alerts"),
    (r"/api/(policies|dq|runbooks/governance)/history", "audit"),
    (r"/api/(policies|dq)/exceptions|/api/policies/review-queue", "exceptions"),
    (r"/api/policies", "policies"),
    (r"/api/dq", "data-quality"),
    (r"/api/runbooks", "runbooks"),
    (r"/api/scorecards|/api/governance", "scorecards"),
    (r"/api/explain|/api/triage", "triage"),
)
_AREAS = [(re.compile(pattern), tag) for pattern, tag in AREAS]


def area(path: str) -> str:
    """The tag of a path (a control-tier path by the source path it mirrors)."""
    if path.startswith(CONTROL_ONLY):
        return "aggregate"
    if path.startswith(AGGREGATE + "/"):
        path = "/api" + path[len(AGGREGATE) :]
        if path in ("/api/health", "/api/version"):
            path = path[len("/api") :]
    for pattern, tag in _AREAS:
        if pattern.match(path):
            return tag
    return FALLBACK


SUMMARY_LENGTH = 110


def summary(description: str) -> str | None:
    """The line Swagger UI shows beside a folded operation: its description's first sentence (or
    that sentence's first clause), when short enough to read at a glance."""
    sentence = re.split(r"\.(?:\s|$)", " ".join(description.split()), maxsplit=1)[0]
    for candidate in (sentence, re.split(r"[:;] ", sentence, maxsplit=1)[0]):
        if 0 < len(candidate) <= SUMMARY_LENGTH:
            return candidate
    return None


def document_areas(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOKS entry: one tag per operation, by area, and a summary where the view
    gives none; the document lists the configured tags (SPECTACULAR_SETTINGS["TAGS"]) it uses."""
    used = set()
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            operation["tags"] = [area(path)]
            used.add(operation["tags"][0])
            if not operation.get("summary") and (line := summary(operation.get("description", ""))):
                operation["summary"] = line
    result["tags"] = [tag for tag in result.get("tags", []) if tag["name"] in used]
    return result
