"""From what one evaluation pass saw to incidents: group symptoms under their root cause through
lineage, record every occurrence, and resolve what has cleared.

A failed run is a root candidate. A failed run, SLA breach or stale dataset in the same source
whose subject lies downstream of a candidate (`downstream(source, pipeline_id)`: the pipeline
ids and dataset names its impact reaches) and was seen within the group window of it is that
root's member. The root is the most upstream candidate; recent live roots from earlier passes
still collect members. Incidents of a (source, kind) the pass saw completely that were not seen
again have cleared and resolve, with a resolve notice."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from .actions import SYSTEM, Occurrence, notify, record, resolve
from .channels.base import Transition
from .choices import Kind, State
from .models import AlertIncident

Downstream = Callable[[str, str], Iterable[str]]
GROUPABLE = (Kind.FAILED_RUN, Kind.SLA_BREACH, Kind.STALE_DATASET)
CLEARED = {
    Kind.FAILED_RUN: "A later run succeeded.",
    Kind.SLA_BREACH: "The SLA is back within its threshold.",
    Kind.STALE_DATASET: "The dataset is fresh again.",
    Kind.COST_ANOMALY: "The cost is back in its band.",
    Kind.SMOKE_FAILURE: "The smoke checks pass again.",
}


@dataclass
class Pass:
    """One evaluation's input: what was seen, and which (source, kind) were seen completely (a
    source that did not answer clears nothing)."""

    seen: list[Occurrence]
    complete: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class _Root:
    source: str
    subject: str
    at: datetime
    incident: AlertIncident | None = None  # a live root from an earlier pass


def _key(occ: Occurrence) -> str:
    return occ.dataset if occ.kind == Kind.STALE_DATASET else occ.pipeline_id or occ.subject


def _root_of(
    key: str, source: str, at: datetime, roots: list[_Root], reach, window: timedelta, own: bool = False
) -> _Root | None:
    """The most upstream root whose reach holds `key` within the window (walks up the chain); with
    `own`, a failed run of `key` itself is a root too (a pipeline's SLA breach joins its failure)."""
    found = None
    for r in roots:
        if r.source != source:
            continue
        itself = own and r.subject == key
        if itself or (r.subject != key and key in reach(r.source, r.subject)):
            if abs(at - r.at) <= window:
                found = r
                break
    if found is None:
        return None
    return (
        _root_of(found.subject, source, found.at, [r for r in roots if r is not found], reach, window)
        or found
    )


def evaluate(seen: Pass, downstream: Downstream, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    window = timedelta(seconds=settings.CT_ALERT_GROUP_WINDOW_S)
    reach = cache(lambda source, pipeline: frozenset(downstream(source, pipeline)))
    earlier = AlertIncident.objects.filter(
        kind=Kind.FAILED_RUN, root__isnull=True, first_seen_at__gte=now - window
    ).exclude(state=State.RESOLVED)
    roots = [_Root(o.source, o.pipeline_id, o.observed_at) for o in seen.seen if o.kind == Kind.FAILED_RUN]
    roots += [_Root(i.source, i.pipeline_id, i.first_seen_at, i) for i in earlier]
    counts = {"opened": 0, "updated": 0, "grouped": 0, "resolved": 0}
    root_for = {}
    for occ in seen.seen:
        top = (
            _root_of(
                _key(occ), occ.source, occ.observed_at, roots, reach, window, occ.kind == Kind.SLA_BREACH
            )
            if occ.kind in GROUPABLE
            else None
        )
        root_for[occ.fingerprint] = top
    # Roots first, so members find their root's incident.
    incidents: dict[tuple[str, str], AlertIncident] = {
        (r.source, r.subject): r.incident for r in roots if r.incident
    }
    before = set(AlertIncident.objects.exclude(state=State.RESOLVED).values_list("fingerprint", flat=True))
    grown: set[int] = set()
    for occ in sorted(seen.seen, key=lambda o: root_for[o.fingerprint] is not None):
        top = root_for[occ.fingerprint]
        root = incidents.get((top.source, top.subject)) if top else None
        try:
            incident = record(occ, now=now, root=root)
        except IntegrityError:  # another evaluation opened it first: count on theirs
            incident = record(occ, now=now, root=root)
        if occ.kind == Kind.FAILED_RUN and top is None:
            incidents[(occ.source, occ.pipeline_id)] = incident
        counts["updated" if occ.fingerprint in before else "opened"] += 1
        if root is not None:
            counts["grouped"] += 1
            if root.fingerprint in before and occ.fingerprint not in before:
                grown.add(root.pk)
    for root in AlertIncident.objects.filter(pk__in=grown, state__in=(State.OPEN, State.ACKNOWLEDGED)):
        notify(root, Transition.UPDATE, now)  # once per channel: the outbox key is unique
    counts["resolved"] = _resolve_cleared(seen, now)
    return counts


def _resolve_cleared(seen: Pass, now: datetime) -> int:
    still = {o.fingerprint for o in seen.seen}
    resolved = 0
    for source, kind in sorted(seen.complete):
        live = AlertIncident.objects.filter(source=source, kind=kind).exclude(state=State.RESOLVED)
        for incident in live.exclude(fingerprint__in=still):
            resolve(incident, actor=SYSTEM, reason=CLEARED[kind], now=now)
            resolved += 1
    return resolved
