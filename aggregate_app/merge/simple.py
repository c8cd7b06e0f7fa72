"""Rules that do not combine values: per source, first found, consensus, single-source passthrough."""

from typing import Any

from .summary import tag


def by_source(answers: dict[str, Any], page=None) -> dict:
    """Each source's answer side by side, for objects that have no meaningful sum."""
    return {"by_source": answers, "sources": list(answers)}


def first_found(answers: dict[str, Any], page=None) -> dict:
    """The first source (in configuration order) that has the entity answers; `also_in` names the
    other sources that have it too."""
    name, data = next(iter(answers.items()))
    body = dict(data) if isinstance(data, dict) else {"value": data}
    return {**body, "source": name, "also_in": [n for n in answers if n != name]}


def consensus(answers: dict[str, Any], page=None) -> dict:
    """Catalogs that should be identical everywhere (policy profiles): one copy when they agree,
    every source's copy and `consistent: false` when they do not."""
    values = list(answers.values())
    if all(v == values[0] for v in values):
        body = dict(values[0]) if isinstance(values[0], dict) else {"items": values[0]}
        return {**body, "consistent": True, "sources": list(answers)}
    return {"consistent": False, "by_source": answers, "sources": list(answers)}


def passthrough(answers: dict[str, Any], page=None) -> dict:
    """One source's answer as is (the route needs a single source), tagged with its name."""
    name, data = next(iter(answers.items()))
    body = dict(data) if isinstance(data, dict) else {"items": data}
    if isinstance(body.get("items"), list):
        body["items"] = [tag(item, name) for item in body["items"]]
    return {**body, "source": name}
