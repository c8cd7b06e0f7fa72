"""The merged pipeline catalogue: one row per logical pipeline across sources, exact at any depth.

A pipeline seen by several sources is one entity only when its identity matches: same id, name
and namespace (DESIGN.md, "Identity across sources"). The same id with a different identity stays
two rows, each with its own source, and is reported as an identity conflict.

Paging: every selected source lists the keys of its matching pipelines (`GET /api/pipeline-keys`,
filters applied there); the keys are merged into entities and ordered here, the page is sliced,
and each source is asked for the page's rows only (`GET /api/pipelines?pipeline_ids=`). So the
total is exact, every row is reachable, and a page costs two round trips whatever its offset.
"""

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from controltower.api.errors import ApiError
from pipelines_app.pipelines import CRITICALITY_RANK

from . import client, meta, respond, sources
from .merge.items import merge_items
from .merge.lists import Page
from .merge.values import latest, natural
from .segments import segment
from .sources import Source

KEYS_PATH = "/api/pipeline-keys"
ROWS_PATH = "/api/pipelines"
FILTERS = ("team", "domain", "criticality", "status", "search")
SORTS = (
    "pipeline_id", "pipeline_name", "team", "domain", "criticality",
    "runs_7d", "failures_7d", "last_status", "last_end_ts",
)  # fmt: skip
STATUS_RANK = {"FAILED": 0, "ABORTED": 1, "RUNNING": 2, "SUCCESS": 3}
CONFLICT_IDS_SHOWN = 10
MAX_NAMES = 500  # ids per pipeline_names call (the source's `pipeline_ids` bound)
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ct-catalog")
_flights: dict[tuple, Future] = {}
_flights_lock = threading.Lock()
_merged: dict[tuple, "Merged"] = {}  # the latest few merged key answers (merged_entities)
_merged_lock = threading.Lock()
MERGED_KEPT = 4


def in_background(fn, *args):
    """Run `fn` on the catalogue's pool with this request's context (its request id)."""
    return _pool.submit(contextvars.copy_context().run, fn, *args)


def identity(row: dict) -> tuple:
    return (row.get("pipeline_id"), row.get("pipeline_name"), row.get("namespace"))


@dataclass
class Entity:
    """One logical pipeline: its identity and each source's key row."""

    key: tuple
    members: dict[str, dict] = field(default_factory=dict)

    @property
    def pipeline_id(self) -> str:
        return self.key[0]

    def value(self, column: str) -> Any:
        """The merged value of a sortable column (the merged row's rule: counts add, the latest
        time wins, the status is the freshest source's)."""
        rows = list(self.members.values())
        if column in ("runs_7d", "failures_7d"):
            return sum(r.get(column) or 0 for r in rows)
        if column == "last_end_ts":
            return latest([r.get(column) for r in rows])
        if column == "last_status":
            newest = latest([r.get("last_start_ts") for r in rows])
            return next(
                (r.get(column) for r in rows if r.get("last_start_ts") == newest), rows[0].get(column)
            )
        if column == "is_active":
            return any(r.get("is_active") for r in rows)
        return next((r.get(column) for r in rows if r.get(column) is not None), None)


def key_rows(body: Any) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return []
    columns = body.get("columns") or []
    return [dict(zip(columns, item, strict=False)) for item in body["items"] if isinstance(item, list)]


def entities(answers: dict[str, Any]) -> list[Entity]:
    """Every source's keys grouped by identity, in source order."""
    grouped: dict[tuple, Entity] = {}
    for source, body in answers.items():
        for row in key_rows(body):
            entity = grouped.setdefault(identity(row), Entity(identity(row)))
            entity.members[source] = row
    return list(grouped.values())


class Merged:
    """One set of key answers merged into entities, and its orderings, computed once each."""

    def __init__(self, found: list[Entity], bodies: list) -> None:
        self.found, self._bodies, self._orders, self._lock = found, bodies, {}, threading.Lock()

    def ordered(self, sort: str, descending: bool) -> list[Entity]:
        with self._lock:
            if (sort, descending) not in self._orders:
                self._orders[(sort, descending)] = ordered(self.found, sort, descending)
            return self._orders[(sort, descending)]


def merged_entities(outcomes: dict[str, Any]) -> Merged:
    """The entities of the sources' key answers (their outcomes, each ok), merged once for the same
    answers: the same objects (the Overview's summary and catalogue share one keys fetch), or the
    same ETags from the sources (an unchanged estate: ~12k rows a source at 10M runs, ~0.5 s of CPU
    to merge and order). Entities are read-only."""
    ident = tuple((name, o.etag or id(o.data)) for name, o in outcomes.items())
    with _merged_lock:
        found = _merged.get(ident)
        if found is None:
            bodies = [o.data for o in outcomes.values() if not o.etag]  # held: their ids stay theirs
            found = _merged[ident] = Merged(entities({n: o.data for n, o in outcomes.items()}), bodies)
            while len(_merged) > MERGED_KEPT:
                _merged.pop(next(iter(_merged)))
        return found


def conflicts(found: list[Entity]) -> dict:
    """Ids that name different pipelines in different sources."""
    seen: dict[str, int] = {}
    for e in found:
        seen[e.pipeline_id] = seen.get(e.pipeline_id, 0) + 1
    ids = sorted((i for i, n in seen.items() if n > 1), key=natural)
    return {"count": len(ids), "ids": ids[:CONFLICT_IDS_SHOWN]}


def _sort_key(column: str):
    def key(e: Entity) -> tuple:
        value = e.value(column)
        if column == "criticality":
            value = CRITICALITY_RANK.get(value, len(CRITICALITY_RANK)) if value else None
        elif column == "last_status":
            value = STATUS_RANK.get(value, len(STATUS_RANK)) if value else None
        if value is None or value == "":
            return (1, 0, ())
        return (0, value, ()) if isinstance(value, int | float) else (0, 0, natural(str(value).lower()))

    return key


def ordered(found: list[Entity], sort: str, descending: bool) -> list[Entity]:
    """Stable order: by `sort` (missing values last either way), then natural id, then source order."""
    found = sorted(found, key=lambda e: natural(e.pipeline_id))  # ties keep id order
    key = _sort_key(sort)
    present = [e for e in found if key(e)[0] == 0]
    missing = [e for e in found if key(e)[0] == 1]
    return sorted(present, key=key, reverse=descending) + missing


def _rows(selected: list[Source], page: list[Entity], acting_user: str) -> tuple[dict, dict]:
    """{(source, pipeline_id): row} for the page, and each asked source's outcome."""
    wanted: dict[str, list[str]] = {}
    for e in page:
        for source in e.members:
            wanted.setdefault(source, []).append(e.pipeline_id)
    calls = {
        s: client.Call(
            path=ROWS_PATH,
            params={"pipeline_ids": ",".join(wanted[s.name]), "limit": len(wanted[s.name])},
            acting_user=acting_user,
        )
        for s in selected
        if s.name in wanted
    }  # each source its own ids, all at once
    outcomes, rows = client.fetch_each(calls), {}
    for name, outcome in outcomes.items():
        for row in (outcome.data or {}).get("items") or [] if outcome.ok else []:
            rows[(name, row.get("pipeline_id"))] = row
    return rows, outcomes


def _row(e: Entity, rows: dict) -> dict:
    """The entity's merged row; a source whose row could not be fetched contributes its key row."""
    entries = [(s, rows.get((s, e.pipeline_id)) or {**k}) for s, k in e.members.items()]
    entries = [(s, r) for s, r in entries if identity(r) == e.key] or list(e.members.items())
    return merge_items("pipeline_id", entries)


def fetch_keys(selected: list[Source], params: dict, acting_user: str) -> dict:
    """Each source's outcome for its pipeline keys under the filters in `params`. Identical asks in
    flight at once (the Overview's summary and catalogue both want every key) share one fan-out."""
    filters = {k: v for k, v in params.items() if k in FILTERS}
    call = client.Call(path=KEYS_PATH, params=filters, acting_user=acting_user)
    ask = (tuple((s.name, s.url) for s in selected), tuple(sorted(map(str, filters.items()))), acting_user)
    with _flights_lock:
        flight = _flights.get(ask)
        leader = flight is None
        if leader:
            flight = _flights[ask] = Future()
    if not leader:
        return flight.result()
    try:
        outcomes = client.fetch(selected, call)
        flight.set_result(outcomes)
        return outcomes
    except BaseException as exc:
        flight.set_exception(exc)
        raise
    finally:
        with _flights_lock:
            _flights.pop(ask, None)


def pipeline_names(selected: list[Source], ids: list[str], acting_user: str) -> dict[str, str | None]:
    """{pipeline_id: name} for a few ids (at most MAX_NAMES), one call per source; the first source
    in configuration order that knows an id names it."""
    ids = sorted(set(ids))[:MAX_NAMES]
    if not ids:
        return {}
    call = client.Call(
        path=ROWS_PATH, params={"pipeline_ids": ",".join(ids), "limit": len(ids)}, acting_user=acting_user
    )
    names: dict[str, str | None] = {}
    for outcome in client.fetch(selected, call).values():
        for row in (outcome.data or {}).get("items") or [] if outcome.ok else []:
            names.setdefault(row.get("pipeline_id"), row.get("pipeline_name"))
    return names


def merged_keys(selected: list[Source], params: dict, acting_user: str) -> tuple[Merged, dict]:
    """(the merged entities, keys outcomes) for the filters in `params`."""
    outcomes = fetch_keys(selected, params, acting_user)
    answered = {n: o for n, o in outcomes.items() if o.ok}
    if not answered:
        raise respond.none_answered(KEYS_PATH, outcomes)
    return merged_entities(answered), outcomes


def catalogue(
    selected: list[Source], params: dict, page: Page, sort: str, descending: bool, acting_user: str
) -> dict:
    """The merged, ordered, exact page of `/api/aggregate/pipelines`."""
    merged, key_outcomes = merged_keys(selected, params, acting_user)
    found = merged.found
    chosen = merged.ordered(sort, descending)[page.offset : page.offset + page.limit]
    rows, row_outcomes = _rows(selected, chosen, acting_user)
    extra = [meta.capability(ROWS_PATH, o) for o in row_outcomes.values() if not o.ok]
    block = meta.build(ROWS_PATH, key_outcomes, sources.names(), extra)
    block["identity_conflicts"] = conflicts(found)
    return {
        "items": [_row(e, rows) for e in chosen],
        "total": len(found),
        "offset": page.offset,
        "limit": page.limit,
        "sort": sort,
        "order": "desc" if descending else "asc",
        "_meta": block,
    }


def counts(found: list[Entity]) -> dict:
    """Headline counts over merged entities: the same definitions as the catalogue's total."""
    return {"pipelines": len(found), "active": sum(1 for e in found if e.value("is_active"))}


def identity_conflict(pipeline_id: str, rows: dict[str, Any]) -> ApiError | None:
    """A 409 when the sources' rows for `pipeline_id` are different pipelines (merging them would
    mix two pipelines' figures); None when they are one pipeline."""
    found = {s: identity(r) for s, r in rows.items() if isinstance(r, dict)}
    if len(set(found.values())) <= 1:
        return None
    named = {s: {"pipeline_name": k[1], "namespace": k[2]} for s, k in found.items()}
    words = ", ".join(f"{s}: {v['pipeline_name']!r}" for s, v in named.items())
    return ApiError(
        409,
        "identity_conflict",
        f"{pipeline_id[:200]!r} names different pipelines in different sources ({words}); "
        "choose one with ?source=.",
        {"pipeline_id": pipeline_id[:200], "identities": named, "choices": list(named)},
    )


def check_identity(selected: list[Source], pipeline_id: str, acting_user: str) -> None:
    """Before a per-pipeline read across several sources: refuse to merge two different pipelines."""
    if len(selected) < 2:
        return
    path = f"{ROWS_PATH}/{segment('pipeline_id', pipeline_id)}"
    outcomes = client.fetch(selected, client.Call(path=path, acting_user=acting_user))
    conflict = identity_conflict(pipeline_id, respond.answers_of(outcomes))
    if conflict is not None:
        raise conflict
