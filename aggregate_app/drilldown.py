"""Governance drilldowns across sources (control tier only): the rows behind a posture number.

    runbook_coverage       per team: pipelines, with a runbook, missing, coverage_pct (worst first)
    critical_runbook_gaps  critical pipelines without a runbook          (GET /api/runbooks)
    sla_pressure           pipelines whose SLA is breached or at risk    (GET /api/sla/pipelines?status=)
    cost_anomalies         cost anomalies, largest first                 (GET /api/costs/anomalies)
    dq_mismatches          pipelines failing their DQ standards          (GET /api/dq/effective?status=fail)

Rows come from the source lists (the first DRILL_WINDOW items of each; one source page when a
single row is asked for, as a KPI card does), are tagged with their source, filtered by the
predicate below and cut to `limit`. The predicates read the source rows' documented fields and
tolerate the common spellings. Totals are the sources' own exact counts where their answers carry
them (the runbook catalogue's `coverage`, a filtered list's `total`), so a number does not depend
on how many rows were read; otherwise the rows read are counted. A drill with `statuses` asks each
source for each status instead (filtered there, so its total is the sources' exact count).
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import client, meta, respond, sources
from .merge import concat
from .sources import Source

DRILL_WINDOW = 2000
CHOICES = ("runbook_coverage", "critical_runbook_gaps", "sla_pressure", "cost_anomalies", "dq_mismatches")
MISMATCHED = {"fail", "mismatch", "non_compliant", "noncompliant", "violation", "failing", "breached"}


def missing_runbook(row: dict) -> bool:
    """No usable runbook: status missing / invalid_format (or no URL when the row has no status)."""
    if row.get("runbook_status"):
        return row["runbook_status"] != "configured"
    if row.get("has_runbook") is not None:
        return not row["has_runbook"]
    return not (row.get("runbook_url") or "").strip()


def dq_mismatched(row: dict) -> bool:
    if row.get("compliant") is not None:
        return not row["compliant"]
    status = str(row.get("status") or row.get("dq_status") or "").lower()
    return bool(row.get("mismatch") or row.get("violations") or status in MISMATCHED)


def _magnitude(row: dict) -> float:
    for key in ("robust_z", "score", "z_score", "ratio", "delta_aud", "latest_cost_aud", "cost_aud"):
        if isinstance(row.get(key), int | float):
            return float(row[key])
    return 0.0


def _without_runbook(answer: dict) -> int | None:
    """Pipelines without a usable runbook in a runbook catalogue answer (its coverage counts every
    pipeline the filters match, not only the rows of the page)."""
    coverage = answer.get("coverage") if isinstance(answer, dict) else None
    if not isinstance(coverage, dict) or not isinstance(coverage.get("total"), int):
        return None
    return coverage["total"] - int(coverage.get("configured") or 0)


def _listed(answer: dict) -> int | None:
    """A list filtered at the source (every row kept): its total."""
    return answer["total"] if isinstance(answer, dict) and isinstance(answer.get("total"), int) else None


@dataclass(frozen=True)
class Drill:
    path: str
    params: dict
    keep: Callable[[dict], bool] | None = None
    order: Callable[[dict], float] | None = None
    statuses: tuple[str, ...] = ()
    count: Callable[[dict], int | None] | None = None  # the source's exact count of kept rows


DRILLS = {
    "runbook_coverage": Drill("/api/runbooks", {"include_missing": "true"}),
    "critical_runbook_gaps": Drill(
        "/api/runbooks",
        {"include_missing": "true", "criticality": "critical"},
        missing_runbook,
        count=_without_runbook,
    ),
    "sla_pressure": Drill("/api/sla/pipelines", {}, statuses=("breached", "at_risk")),
    "cost_anomalies": Drill("/api/costs/anomalies", {}, None, _magnitude, count=_listed),
    "dq_mismatches": Drill("/api/dq/effective", {"status": "fail"}, dq_mismatched, count=_listed),
}


def coverage_by_team(rows: list[dict]) -> list[dict]:
    teams: dict[str, dict] = {}
    for row in rows:
        team = teams.setdefault(
            row.get("team") or "(no team)", {"pipelines": 0, "with_runbook": 0, "by_source": {}}
        )
        team["pipelines"] += 1
        team["with_runbook"] += 0 if missing_runbook(row) else 1
        per_source = team["by_source"].setdefault(row.get("source"), {"pipelines": 0, "missing": 0})
        per_source["pipelines"] += 1
        per_source["missing"] += 1 if missing_runbook(row) else 0
    out = [
        {
            "team": name,
            **t,
            "missing": t["pipelines"] - t["with_runbook"],
            "coverage_pct": round(100.0 * t["with_runbook"] / t["pipelines"], 1),
        }
        for name, t in teams.items()
    ]
    return sorted(out, key=lambda r: (r["coverage_pct"], r["team"]))


def by_status(drill: Drill, selected: list[Source], days: int, limit: int, user: str) -> dict:
    """Each status asked of every source (worst first): rows up to `limit`, exact totals."""
    rows, per_source, outcomes = [], {}, {}
    for status in drill.statuses:
        params = {**drill.params, "days": days, "status": status}
        call = client.Call(path=drill.path, params=params, window=(0, limit), acting_user=user)
        got = client.fetch(selected, call)
        answers = respond.answers_of(got)
        if not answers:
            raise respond.none_answered(drill.path, got)
        outcomes = outcomes or got
        rows += [r for r in concat()(answers, None).get("items", []) if isinstance(r, dict)]
        for name, data in answers.items():
            per_source[name] = per_source.get(name, 0) + int(data.get("total", 0))
    return {
        "total": sum(per_source.values()),
        "items": rows[:limit],
        "by_source": per_source,
        "source_rows_truncated": False,
        "_meta": meta.build(drill.path, outcomes, sources.names()),
    }


def drilldown(kind: str, selected: list[Source], days: int, limit: int, user: str = "") -> dict:
    drill = DRILLS[kind]
    if drill.statuses:
        return {
            "drilldown": kind,
            "days": days,
            "limit": limit,
            **by_status(drill, selected, days, limit, user),
        }
    window = (0, DRILL_WINDOW if limit > 1 else client.PAGE_MAX)
    call = client.Call(
        path=drill.path, params={**drill.params, "days": days}, window=window, acting_user=user
    )
    outcomes = client.fetch(selected, call)
    answers = respond.answers_of(outcomes)
    if not answers:
        raise respond.none_answered(drill.path, outcomes)
    raw = [r for r in concat()(answers, None).get("items", []) if isinstance(r, dict)]
    if kind == "runbook_coverage":
        rows = coverage_by_team(raw)
        per_source = {n: _coverage_counts(n, answers[n], raw) for n in answers}
    else:
        rows = [r for r in raw if drill.keep is None or drill.keep(r)]
        per_source = {n: _kept_count(drill, n, answers[n], rows) for n in answers}
    if drill.order:
        rows.sort(key=drill.order, reverse=True)
    truncated = any(isinstance(d, dict) and not d.get("complete", True) for d in answers.values())
    total = sum(per_source.values()) if kind != "runbook_coverage" else len(rows)
    return {
        "drilldown": kind,
        "days": days,
        "total": total,
        "limit": limit,
        "items": rows[:limit],
        "by_source": per_source,
        "source_rows_truncated": truncated,
        "_meta": meta.build(drill.path, outcomes, sources.names()),
    }


def _coverage_counts(name: str, answer: dict, raw: list[dict]) -> dict:
    """{pipelines, missing} of one source: its catalogue's coverage, else the rows read."""
    missing = _without_runbook(answer)
    if missing is not None:
        return {"pipelines": answer["coverage"]["total"], "missing": missing}
    mine = [r for r in raw if r["source"] == name]
    return {"pipelines": len(mine), "missing": sum(1 for r in mine if missing_runbook(r))}


def _kept_count(drill: Drill, name: str, answer: dict, rows: list[dict]) -> int:
    exact = drill.count(answer) if drill.count else None
    return exact if exact is not None else sum(1 for r in rows if r["source"] == name)
