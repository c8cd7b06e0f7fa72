"""The control tier's `_meta`, typed once in the schema (POSTPROCESSING_HOOKS entry): every JSON
answer of an /api/aggregate/ route carries it (aggregate_app/meta.py), whatever the merged body."""

OUTCOME = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean", "description": "the source's answer is in the response"},
        "status": {"type": "integer", "nullable": True, "description": "the source's HTTP status"},
        "latency_ms": {"type": "number", "nullable": True},
        "error": {
            "type": "string",
            "nullable": True,
            "description": "how it failed (timeout, rejected, ...)",
        },
        "reason": {"type": "string", "nullable": True, "description": "the failure in words"},
    },
}
CAPABILITY = {
    "type": "object",
    "properties": {
        "endpoint": {"type": "string", "description": "the source route asked"},
        "source": {"type": "string"},
        "status": {
            "type": "string",
            "description": "unsupported (the source lacks the route), not_found (it lacks the entity), "
            "degraded (it failed), or what a control-tier page reports (e.g. not_configured)",
        },
        "reason": {"type": "string", "nullable": True},
        "error": {"type": "string", "nullable": True},
    },
}
AGGREGATE_META = {
    "type": "object",
    "description": "How each selected source fared. Besides the fields below, `<source>_ok` for every "
    "configured source: true (answered), false (failed) or null (not selected).",
    "properties": {
        "sources": {"type": "object", "additionalProperties": OUTCOME, "description": "by source name"},
        "selected": {"type": "array", "items": {"type": "string"}},
        "degraded": {"type": "boolean", "description": "a selected source failed or lacks a capability"},
        "capabilities": {"type": "array", "items": CAPABILITY, "description": "what is missing, and why"},
        "generated_at": {"type": "string", "format": "date-time"},
        "identity_conflicts": {
            "type": "object",
            "description": "the pipeline catalogue only: ids that name different pipelines in different "
            "sources (each shown as a row of its own)",
            "properties": {
                "count": {"type": "integer"},
                "ids": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "required": ["sources", "selected", "degraded", "capabilities", "generated_at"],
    "additionalProperties": {"type": "boolean", "nullable": True},
}
META_REF = {"$ref": "#/components/schemas/AggregateMeta"}


def document_meta(result: dict, generator, request, public) -> dict:
    """Each aggregate route's JSON answers (2xx) get `_meta` typed; what the merged body holds
    besides stays as the route documents it."""
    paths = {p: ops for p, ops in result.get("paths", {}).items() if p.startswith("/api/aggregate/")}
    if not paths:
        return result
    result.setdefault("components", {}).setdefault("schemas", {})["AggregateMeta"] = AGGREGATE_META
    for operations in paths.values():
        for operation in operations.values():
            for code, answer in operation.get("responses", {}).items():
                json = (answer.get("content") or {}).get("application/json")
                if code.startswith("2") and json is not None:
                    json["schema"] = _with_meta(json.get("schema") or {"type": "object"})
    return result


def _with_meta(schema: dict) -> dict:
    if "$ref" in schema or schema.get("properties"):
        return {
            "allOf": [schema, {"type": "object", "properties": {"_meta": META_REF}, "required": ["_meta"]}]
        }
    return {**schema, "properties": {"_meta": META_REF}, "required": ["_meta"]}
