"""The OpenLineage events as received (LINEAGE_EVENTS, written by ingest): a paged list by run, job
or time, and the per-producer facet coverage report — which facets each producer sends, and which
of them Control Tower maps (ingest.facets.MAPPED, filled by the readers themselves)."""

from datetime import datetime

import orjson

from . import queries as q
from .ingest.facets import MAPPED

FACET_KINDS = ("run", "job", "dataset")


def list_events(
    *,
    offset: int,
    limit: int,
    run_id: str | None = None,
    job: str | None = None,
    namespace: str | None = None,
    pipeline_id: str | None = None,
    since: datetime | None = None,
) -> tuple[list[dict], int]:
    """A page of events, newest eventTime first, each with its JSON as received, and the total."""
    rows, total = q.fetch_page(
        "lineage_events",
        offset=offset,
        limit=limit,
        run_id=run_id.lower() if run_id else None,
        job=job,
        namespace=namespace,
        pipeline_id=pipeline_id,
        since=_naive(since),
    )
    return [_event(row) for row in rows], total


def _event(row: dict) -> dict:
    return {
        "event_id": row["event_id"],
        "received_ts": q.aware(row["received_ts"]),
        "event_time": q.aware(row["event_ts"]),
        "event_type": row["event_type"],
        "kind": row["kind"],
        "producer": row["producer"],
        "run_id": row["run_id"],
        "job_namespace": row["job_namespace"],
        "job_name": row["job_name"],
        "pipeline_id": row["pipeline_id"],
        "event": orjson.loads(row["event"]),
    }


def coverage(*, offset: int, limit: int, since: datetime | None = None) -> tuple[list[dict], int]:
    """Per producer (by URI): events kept, the newest eventTime, and every run / job / dataset facet
    name it sent with how many events carried it and whether Control Tower maps it."""
    per_producer: dict[str, dict] = {}
    for row in q.fetch_all("lineage_coverage", since=_naive(since)):
        entry = per_producer.setdefault(
            row["producer"], {"events": 0, "last": None, "facets": {k: {} for k in FACET_KINDS}}
        )
        events = int(row["events"])
        entry["events"] += events
        entry["last"] = max(filter(None, (entry["last"], row["last_event_ts"])), default=None)
        for kind in FACET_KINDS:
            for name in (row[f"{kind}_facets"] or "").split(","):
                if name:
                    entry["facets"][kind][name] = entry["facets"][kind].get(name, 0) + events
    items = [_coverage_item(producer, entry) for producer, entry in sorted(per_producer.items())]
    return items[offset : offset + limit], len(items)


def _coverage_item(producer: str, entry: dict) -> dict:
    facets = [
        {"kind": kind, "name": name, "events": count, "mapped": name in MAPPED[kind]}
        for kind in FACET_KINDS
        for name, count in sorted(entry["facets"][kind].items())
    ]
    return {
        "producer": producer,
        "events": entry["events"],
        "last_event_time": q.aware(entry["last"]),
        "facets": facets,
        "mapped": sum(f["mapped"] for f in facets),
        "unmapped": sum(not f["mapped"] for f in facets),
    }


def mapped_facets() -> dict[str, list[str]]:
    return {kind: sorted(MAPPED[kind]) for kind in FACET_KINDS}


def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return q.aware(value).replace(tzinfo=None)
