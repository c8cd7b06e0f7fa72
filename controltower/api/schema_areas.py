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


def document_areas(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOKS entry: one tag per operation, by area; the document's tag list is the
    configured tags it uses, in the configured order."""
    used = set()
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            operation["tags"] = [area(path)]
            used.add(operation["tags"][0])
    result["tags"] = [tag for tag in result.get("tags", []) if tag["name"] in used]
    return result
