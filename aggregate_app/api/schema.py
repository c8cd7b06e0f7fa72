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


# The merged answers, typed from the sources' own schema (POSTPROCESSING_HOOKS entry, before
# document_meta). Each aggregate view names the source route it mirrors (`source_path`) and its
# merge rule; the source document (controltower.urls.source) says what one source answers there,
# and the rule says what merging does to it (aggregate_app/merge):
# - one source's answer kept whole (first_found, single_source, by_source, consensus, export):
#   that answer's schema, plus the fields the rule adds;
# - answers combined field by field (sum, union_graph, merge_entity, a list's other fields, a
#   series' points): the same fields, each nullable (sources that disagree on a value that cannot
#   add up give null; every source's own answer stays under `by_source`): `Merged<Component>`;
# - lists (concat, runbooks, scorecards): each item as its source answered it, with its `source`.
# Writes answer each selected source's outcome, its body being the source write's answer.

SOURCE_URLCONF = "controltower.urls.source"
PAGE_KEYS = ("items", "total", "offset", "limit")
STRINGS = {"type": "array", "items": {"type": "string"}}
SOURCE_TAG = {"type": "object", "properties": {"source": {"type": "string"}}, "required": ["source"]}


def _by_source(schema: dict) -> dict:
    return {"type": "object", "additionalProperties": schema, "description": "each source's own answer"}


class _Sources:
    """The source document's answers, and the components they need copied into this document."""

    def __init__(self, result: dict):
        from drf_spectacular.generators import SchemaGenerator

        self.doc = SchemaGenerator(urlconf=SOURCE_URLCONF).get_schema(request=None, public=True)
        self.theirs = self.doc.get("components", {}).get("schemas", {})
        self.ours = result.setdefault("components", {}).setdefault("schemas", {})
        self.names: dict[str, str] = {}  # source component -> its name here

    def answers(self, path: str, method: str) -> list[dict]:
        """The source operation's JSON 2xx schemas (distinct), in this document's terms."""
        responses = self.doc["paths"].get(path, {}).get(method, {}).get("responses", {})
        found = []
        for code, answer in responses.items():
            schema = (answer.get("content") or {}).get("application/json", {}).get("schema")
            if code.startswith("2") and schema and self.copy(schema) not in found:
                found.append(self.copy(schema))
        return found

    def copy(self, schema):
        """`schema` with its components copied here: under their own name, or `Source<name>`
        where this document has another component of that name."""
        if isinstance(schema, list):
            return [self.copy(v) for v in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            return {
                **schema,
                "$ref": "#/components/schemas/" + self.component(schema["$ref"].rsplit("/", 1)[1]),
            }
        return {k: self.copy(v) for k, v in schema.items()}

    def component(self, name: str) -> str:
        if name not in self.names:
            ours = name if self.ours.get(name, self.theirs[name]) == self.theirs[name] else "Source" + name
            self.names[name] = ours
            self.ours[ours] = self.copy(self.theirs[name])
        return self.names[name]

    def loosened(self, schema: dict) -> dict:
        """`schema` with every value nullable, as combining answers field by field makes it."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            merged = "Merged" + name
            if merged not in self.ours:
                self.ours[merged] = {}  # taken, for components that refer to themselves
                self.ours[merged] = self.loosened(self.ours[name])
            return {"allOf": [{"$ref": f"#/components/schemas/{merged}"}], "nullable": True}
        out = dict(schema)
        for key in ("allOf", "oneOf", "anyOf"):
            if key in out:
                out[key] = [self.loosened(s) for s in out[key]]
        if isinstance(out.get("properties"), dict):
            out["properties"] = {k: self.loosened(v) for k, v in out["properties"].items()}
        if isinstance(out.get("additionalProperties"), dict) and out["additionalProperties"]:
            out["additionalProperties"] = self.loosened(out["additionalProperties"])
        if isinstance(out.get("items"), dict):
            out["items"] = self.loosened(out["items"])
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        out.pop("readOnly", None)
        if "type" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
            out["nullable"] = True
        return out

    def resolved(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.ours[schema["$ref"].rsplit("/", 1)[1]]
        return schema


def _refs(schema) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        if "$ref" in schema:
            found.add(schema["$ref"].rsplit("/", 1)[1])
        for value in schema.values():
            found |= _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _refs(value)
    return found


def _object(properties: dict, required: list[str], description: str = "") -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {**schema, "description": description} if description else schema


def _merged_list(src: _Sources, answer: dict, tagged_items: dict) -> dict:
    """A list's envelope: the items as given, total, the window, and the answers' other fields
    combined, with each source's own under `by_source`."""
    body = src.resolved(answer)
    rest = {k: v for k, v in (body.get("properties") or {}).items() if k not in PAGE_KEYS}
    properties = {k: src.loosened(v) for k, v in rest.items()}
    properties.update(
        items={"type": "array", "items": tagged_items},
        total={"type": "integer"},
        offset={"type": "integer"},
        limit={"type": "integer"},
    )
    if rest:
        properties["by_source"] = _by_source(_without(src, answer, PAGE_KEYS, "the source's other fields"))
    return _object(properties, ["items", "total", "offset", "limit"])


def _without(src: _Sources, answer: dict, keys, description: str) -> dict:
    """The source's answer without `keys` (what `by_source` keeps besides a merged part)."""
    body = src.resolved(answer)
    properties = {k: v for k, v in (body.get("properties") or {}).items() if k not in keys}
    required = [k for k in body.get("required") or [] if k in properties]
    return _object(properties, required, description)


def _items(src: _Sources, answer: dict) -> dict:
    """A list answer's item schema."""
    return ((src.resolved(answer).get("properties") or {}).get("items") or {}).get("items") or {}


def _kept(rule: str, answer: dict) -> dict | None:
    """Rules that keep one source's answer, or each source's, whole."""
    if rule in ("first_found", "single_source"):
        extra = {"source": {"type": "string", "description": "the source that answered"}}
        if rule == "first_found":
            extra["also_in"] = {**STRINGS, "description": "other sources that have it too"}
        return {"allOf": [answer, _object(extra, ["source"])]}
    if rule in ("by_source", "export"):
        return _object({"by_source": _by_source(answer), "sources": STRINGS}, ["by_source", "sources"])
    if rule == "consensus":
        agreed = {"allOf": [answer, _object({"consistent": {"type": "boolean"}, "sources": STRINGS}, [])]}
        apart = _object(
            {"consistent": {"type": "boolean"}, "by_source": _by_source(answer), "sources": STRINGS},
            ["consistent", "by_source", "sources"],
        )
        return {"anyOf": [agreed, apart]}
    return None


def _merged(src: _Sources, rule: str, answer: dict) -> dict | None:
    """The merged answer of `rule` over sources that each answer `answer`."""
    kept = _kept(rule, answer)
    if kept is not None:
        return kept
    if rule in ("sum", "posture_from_merged_counts"):
        return {"allOf": [src.loosened(answer), _object({"by_source": _by_source(answer)}, ["by_source"])]}
    if rule.startswith("merge_entity"):
        row = _without(src, answer, (rule.removeprefix("merge_entity_by_"),), "the source's own row")
        extra = {"sources": STRINGS, "by_source": _by_source(row)}
        return {"allOf": [src.loosened(answer), _object(extra, ["sources", "by_source"])]}
    if rule == "union_graph":
        return {"allOf": [src.loosened(answer), _object({"sources": STRINGS}, ["sources"])]}
    if rule == "series":
        return _series(src, answer)
    if rule.startswith("concat") or rule.startswith("runbooks"):
        return _merged_list(src, answer, {"allOf": [_items(src, answer), SOURCE_TAG]})
    if rule.startswith("scorecards"):
        return _scorecards(src, answer)
    return None


def _series(src: _Sources, answer: dict) -> dict:
    """Points with the same date added up, each with its sources' own points."""
    body = src.resolved(answer)
    key = next(k for k, v in body["properties"].items() if v.get("type") == "array")
    point = body["properties"][key]["items"]
    properties = {k: src.loosened(v) for k, v in body["properties"].items() if k != key}
    properties[key] = {
        "type": "array",
        "items": {"allOf": [src.loosened(point), _object({"by_source": _by_source(point)}, [])]},
    }
    properties["total"] = {"type": "integer", "description": "points"}
    properties["by_source"] = _by_source(_without(src, answer, (key,), "the source's other fields"))
    return _object(properties, [key, "total"])


def _scorecards(src: _Sources, answer: dict) -> dict:
    """One card per team, rescored from the summed inputs, with the sources it merges."""
    tags = {"source": {"type": "string", "nullable": True}, "sources": STRINGS}
    card = {"allOf": [_items(src, answer), _object(tags, ["sources"])]}
    properties = {
        "items": {"type": "array", "items": card},
        "total": {"type": "integer"},
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "average_score": {"type": "number", "nullable": True},
        "columns": {**STRINGS, "nullable": True},
    }
    return _object(properties, ["items", "total", "offset", "limit", "average_score"])


def _outcomes(answer: dict) -> dict:
    result = _object(
        {
            "ok": {"type": "boolean"},
            "status": {"type": "integer", "nullable": True},
            "body": answer,
            "error": _object(
                {
                    "code": {"type": "string"},
                    "kind": {"type": "string"},
                    "message": {"type": "string", "nullable": True},
                },
                ["code", "kind"],
            ),
        },
        ["ok", "status"],
    )
    return _object(
        {
            "ok": {"type": "boolean", "description": "every named source accepted it"},
            "partial": {"type": "boolean", "description": "some did, some did not"},
            "results": {**_by_source(result), "description": "each named source's outcome"},
        },
        ["ok", "partial", "results"],
    )


def document_answers(result: dict, generator, request, public) -> dict:
    """Type each aggregate route's JSON answer from the source route it mirrors and its rule."""
    views = {
        (path, method.lower()): callback.cls
        for path, _, method, callback in getattr(generator, "endpoints", None) or []
        if path.startswith("/api/aggregate/")
    }
    if not views:
        return result
    src = _Sources(result)
    for (path, method), view in views.items():
        source_path, rule = getattr(view, "source_path", ""), getattr(view, "rule", None)
        answers = src.answers(source_path, method) if source_path else []
        if not answers:
            continue
        if method == "post" and rule is None:  # a forwarded write
            answer = answers[0] if len(answers) == 1 else {"anyOf": answers}
            typed = _outcomes(answer)
        else:
            typed = _merged(src, rule.name, answers[0]) if rule is not None and rule.merge else None
        if typed is None:
            continue
        for code, response in result["paths"][path][method]["responses"].items():
            json = (response.get("content") or {}).get("application/json")
            if code.startswith("2") and json is not None:
                json["schema"] = typed
    return result
