"""Merge rules: how each aggregate route combines the answers of its sources.

A rule is a function `(answers: {source: data}, page: Page | None) -> body`, where `answers`
holds only the sources that answered with data, in configuration order. Which route uses which
rule is decided in one place, the route table in aggregate_app/api/urls.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .export import CsvBody, export
from .governance import posture, runbooks, scorecards
from .graph import union_graph
from .items import merge_items
from .lists import Page, concat, series
from .simple import by_source, consensus, first_found, passthrough
from .summary import summed


@dataclass(frozen=True)
class Rule:
    """`paged`: a list whose offset/limit the control tier applies across sources.
    `whole`: a paged list merged over every source's whole list (its rows combine, so the order
    is known only once all are in). `single`: the route pages inside one source, so `source`
    must name exactly one."""

    name: str
    merge: Callable[[dict[str, Any], Page | None], Any]
    paged: bool = False
    single: bool = False
    whole: bool = False


SUM = Rule("sum", summed)
CONCAT = Rule("concat", concat(), paged=True)
BY_SOURCE = Rule("by_source", by_source)
FIRST_FOUND = Rule("first_found", first_found)
CONSENSUS = Rule("consensus", consensus)
GRAPH = Rule("union_graph", union_graph)
SERIES = Rule("series", series)
EXPORT = Rule("export", export)
SINGLE = Rule("single_source", passthrough, single=True)
POSTURE = Rule("posture_from_merged_counts", posture)
SCORECARDS = Rule("scorecards_from_merged_inputs", scorecards, paged=True, whole=True)
RUNBOOKS = Rule("runbooks_coverage_from_merged_counts", runbooks, paged=True)


def entity(id_key: str, conflict: Callable[[str, dict], Exception | None]) -> Rule:
    """One entity (a pipeline) from every source that has it, merged as one row (see merge_items);
    `conflict(id, answers)` names the error when the sources' rows are different entities."""

    def rule(answers: dict[str, Any], page: Page | None = None) -> dict:
        error = conflict(str(next(iter(answers.values())).get(id_key)), answers)
        if error is not None:
            raise error
        return merge_items(id_key, list(answers.items()))

    return Rule(f"merge_entity_by_{id_key}", rule)


def concat_sorted(field: str, descending: bool = True) -> Rule:
    """Concatenate, newest (or largest) `field` first across sources."""
    return Rule(f"concat_by_{field}", concat(field, descending), paged=True)


__all__ = [
    "Rule",
    "Page",
    "CsvBody",
    "SUM",
    "CONCAT",
    "BY_SOURCE",
    "FIRST_FOUND",
    "CONSENSUS",
    "GRAPH",
    "SERIES",
    "EXPORT",
    "SINGLE",
    "POSTURE",
    "SCORECARDS",
    "RUNBOOKS",
    "concat_sorted",
]
