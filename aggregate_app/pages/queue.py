"""The incident queue: the incidents the sources list (/api/aggregate/incidents), grouped by
pipeline and source, worst severity first, then most recently seen.

A group is one row: how many occurrences, first and last seen, the latest error, and its
occurrences when expanded. An SLA breach whose latest breaching run is a failed run of the same
group is folded into that run (one occurrence, "also breached its SLA"): the run caused it. An
incident of a kind the queue does not know still lists, under its own kind word.

`read_all` reads what the queue groups: every incident the filters match, page after page of the
API's largest page, up to QUEUE_PAGES of them (the page says when it left some out)."""

from dataclasses import dataclass, field

from django.urls import resolve

from controltower.api.query import MAX_LIMIT

from .. import client, respond, sources
from ..merge import Page
from ..templatetags.ops import minutes, pct
from .common import AGG
from .gateway import Gateway, Result

SEVERITY_RANK = {"sev1": 0, "sev2": 1, "sev3": 2, "sev4": 3}
KIND_WORDS = {"run_failed": "failed run", "sla_breach": "SLA breach"}
QUEUE_PAGES = 4  # pages of MAX_LIMIT read to group: beyond them the page says what it left out


@dataclass
class Occurrence:
    """One incident, with the SLA breach folded into it when it is the run that caused it."""

    incident: dict
    breach: dict | None = None

    @property
    def severity(self) -> str:
        worst = min((self.incident, self.breach or self.incident), key=_rank)
        return worst.get("severity") or "unknown"

    @property
    def kind_word(self) -> str:
        word = kind_word(self.incident.get("kind"))
        return f"{word} + SLA breach" if self.breach else word

    @property
    def breach_texts(self) -> list[str]:
        return breach_reasons(self.breach or (self.incident if _is_breach(self) else None))


@dataclass
class Group:
    """One pipeline's incidents in one source, newest first."""

    source: str | None
    pipeline_id: str | None
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def latest(self) -> Occurrence:
        return self.occurrences[0]

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def severity(self) -> str:
        return min((o.severity for o in self.occurrences), key=lambda s: SEVERITY_RANK.get(s, 9))

    @property
    def first_seen(self):
        return self.occurrences[-1].incident.get("detected_ts")

    @property
    def last_seen(self):
        return self.latest.incident.get("detected_ts")

    @property
    def latest_error(self) -> dict | None:
        """The newest occurrence that carries an error code or message."""
        return next((o.incident for o in self.occurrences if _has_error(o.incident)), None)

    @property
    def kinds(self) -> list[str]:
        return sorted({o.kind_word for o in self.occurrences})

    @property
    def breach(self) -> dict | None:
        """The group's SLA breach, folded or on its own."""
        return next((o.breach or o.incident for o in self.occurrences if _is_breach(o)), None)

    @property
    def breach_texts(self) -> list[str]:
        return breach_reasons(self.breach)


def kind_word(kind: str | None) -> str:
    return KIND_WORDS.get(kind or "", str(kind or "incident").replace("_", " "))


def _rank(incident: dict) -> int:
    return SEVERITY_RANK.get(incident.get("severity"), 9)


def _has_error(incident: dict) -> bool:
    return bool(incident.get("error_code") or incident.get("error_message"))


def _is_breach(o: Occurrence) -> bool:
    return o.breach is not None or o.incident.get("kind") == "sla_breach"


def _cause_of(breach: dict, runs: list[dict]) -> dict | None:
    """The failed run whose end is the breach's latest breaching run; without those numbers, a run
    detected in the same minute as the breach."""
    numbers = breach.get("sla") or {}
    last = numbers.get("last_breached_run_ts")
    for run in runs:
        if last and last in (run.get("ended_ts"), run.get("detected_ts")):
            return run
    if last is None and "freshness_breached" not in (breach.get("reasons") or []):
        minute = str(breach.get("detected_ts") or "")[:16]
        return next((r for r in runs if minute and str(r.get("detected_ts") or "")[:16] == minute), None)
    return None


def _occurrences(incidents: list[dict]) -> list[Occurrence]:
    runs = [i for i in incidents if i.get("kind") == "run_failed"]
    folded: dict[int, dict] = {}
    standalone: set[int] = set()
    for incident in incidents:
        if incident.get("kind") != "sla_breach":
            continue
        cause = _cause_of(incident, [r for r in runs if id(r) not in folded])
        if cause is None:
            standalone.add(id(incident))
        else:
            folded[id(cause)] = incident
    kept = [i for i in incidents if i.get("kind") != "sla_breach" or id(i) in standalone]
    return [Occurrence(i, folded.get(id(i))) for i in kept]


def group(incidents: list[dict]) -> list[Group]:
    """The queue: one group per (source, pipeline), worst severity first, then the latest seen."""
    by_key: dict[tuple, list[dict]] = {}
    for incident in incidents:
        by_key.setdefault((incident.get("source"), incident.get("pipeline_id")), []).append(incident)
    groups = []
    for (source, pipeline_id), members in by_key.items():
        members.sort(key=lambda i: str(i.get("detected_ts") or ""), reverse=True)
        groups.append(Group(source, pipeline_id, _occurrences(members)))
    groups.sort(key=lambda g: str(g.last_seen or ""), reverse=True)
    groups.sort(key=lambda g: SEVERITY_RANK.get(g.severity, 9))
    return groups


def breach_reasons(breach: dict | None) -> list[str]:
    """Each reason of an SLA breach with its numbers: "14.0% of runs breached (7 of 50 in 7 days),
    10% allowed"; a reason without numbers reads as its word."""
    if not breach:
        return []
    n = breach.get("sla") or {}
    texts = []
    for reason in breach.get("reasons") or []:
        if reason in ("breach_ratio_exceeded", "breach_ratio_at_risk") and n.get("breach_ratio") is not None:
            texts.append(
                f"{pct(n['breach_ratio'])} of runs breached ({n.get('breached_runs')} of "
                f"{n.get('runs_in_window')} in {n.get('window_days')} days), "
                f"{pct(n.get('max_breach_ratio'), 0)} allowed"
            )
        elif reason == "freshness_breached" and n.get("freshness_lag_minutes") is not None:
            texts.append(
                f"no fresh success for {minutes(n['freshness_lag_minutes'])}, "
                f"freshness SLA {minutes(n.get('freshness_sla_minutes'))}"
            )
        else:
            texts.append(reason.replace("_", " "))
    return texts


def read_all(api: Gateway, query: dict) -> tuple[Result, list[dict]]:
    """(the first answer, every incident it counts up to QUEUE_PAGES pages of MAX_LIMIT), newest first."""
    first = api.get(f"{AGG}/incidents", **query, offset=0, limit=MAX_LIMIT)
    rows = list(first.body.get("items") or []) if first.ok else []
    if first.ok and len(rows) < first.body.get("total", 0):
        rows = _window(api, query) or rows
    return first, _unique(rows)


def _window(api: Gateway, query: dict) -> list[dict]:
    """The merged list's first QUEUE_PAGES * MAX_LIMIT incidents, merged by the aggregate route's own
    rule. Each source reads its pages once, in order: paging the merged list instead asks every
    source for its first offset+limit items again at each page (10 reads a source for 4 pages)."""
    path, size = f"{AGG}/incidents", QUEUE_PAGES * MAX_LIMIT
    rule = resolve(path).func.view_class.rule
    params = {k: v for k, v in query.items() if k != "source" and v not in (None, "")}
    user = api.user.get_username() if api.user.is_authenticated else ""
    call = client.Call(path="/api/incidents", params=params, window=(0, size), acting_user=user)

    def fetch() -> tuple[list[dict], bool]:  # (rows, every source answered)
        outcomes = client.fetch(sources.select(query.get("source")), call)
        answers = respond.answers_of(outcomes)
        merged = rule.merge(answers, Page(0, size)) if answers else {}
        return list(merged.get("items") or []), len(answers) == len(outcomes)

    rows, _ = api.read_kept("incidents-window", query, fetch, lambda answer: answer[1])
    return rows


def _unique(rows: list[dict]) -> list[dict]:
    """Each incident once: a row read on two pages (the list moved between reads) counts once."""
    seen, unique = set(), []
    for row in rows:
        key = (row.get("source"), row.get("incident_id"))
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique
