"""Governance posture: a snapshot of the estate now, and a daily trend.

The trend is computed, not stored: telemetry gives runs, failures and breaches per day, and
replaying the audit trail gives the assignments and exceptions active at the end of each day
(judged against today's pipeline attributes) — so it has data from the first day."""

from collections import Counter
from datetime import datetime, time, timedelta

from django.utils import timezone

from . import policies, registers, warehouse_reads
from .choices import ExceptionState, ExceptionStatus, Scope
from .dq import dq_summary
from .history import Replay
from .models import DQStandard, PolicyAssignment
from .resolution import ActiveAssignments
from .runbooks import coverage
from .scorecards import estate_score, grade, trend
from .snapshot import Snapshot, breaches, ratio


def posture(snap: Snapshot) -> dict:
    estate = estate_score(snap)
    queue = registers.review_queue(snap.now)
    pairs = [breaches(snap.evidence.get(p["pipeline_id"])) for p in snap.pipelines]
    prev = [breaches(snap.evidence.get(p["pipeline_id"]), previous=True) for p in snap.pipelines]
    breach_ratio = ratio(sum(b for b, _ in pairs), sum(r for _, r in pairs))
    previous = ratio(sum(b for b, _ in prev), sum(r for _, r in prev))
    return {
        "generated_at": snap.now,
        "pipelines": len(snap.pipelines),
        "posture_score": estate.get("score"),
        "grade": grade(estate["score"]) if estate else None,
        "policy": policies.policy_summary(snap.policy_items),
        "dq": dq_summary(snap.dq_items),
        "runbooks": coverage(snap.runbook_entries),
        "ownership_ratio": estate.get("ownership_ratio"),
        "score_inputs": estate.get("score_inputs"),
        "exceptions": {kind: exception_counts(kind, snap.now) for kind in registers.KINDS},
        "reviews": {
            s: sum(1 for e in queue if e["due_state"] == s)
            for s in ("overdue", "due_soon", "awaiting_review")
        },
        "sla": {
            "runs_7d": sum(r for _, r in pairs),
            "breaches_7d": sum(b for b, _ in pairs),
            "previous_runs_7d": sum(r for _, r in prev),
            "previous_breaches_7d": sum(b for b, _ in prev),
            "breach_ratio_7d": breach_ratio,
            "previous_breach_ratio_7d": previous,
            "trend": trend(breach_ratio, previous),
        },
        "cost_anomalies_7d": sum(snap.anomalies.values()),
    }


def exception_counts(kind: str, now: datetime) -> dict:
    statuses = [r.live_exception_status(now) for r in registers.exception_rows(kind)]
    return {s: statuses.count(s) for s in ExceptionStatus.values if s != ExceptionStatus.NONE}


def _attribute_groups(pipelines: list[dict]) -> Counter:
    """How many pipelines share each (team, domain, criticality): without an assignment of its own a
    pipeline is judged by those alone, so a day judges each group once."""
    return Counter((p.get("team"), p.get("domain"), p.get("criticality")) for p in pipelines)


def _day_governance(
    pipelines: list[dict], groups: Counter, policy_rows: list, dq_rows: list, at: datetime
) -> dict:
    assignments = ActiveAssignments(PolicyAssignment, rows=policy_rows)
    own = {r.target_id for r in policy_rows if r.scope == Scope.PIPELINE}
    judged: list[tuple[dict, int]] = []
    if own:
        groups = Counter(groups)
        for p in pipelines:
            if p["pipeline_id"] in own:
                judged.append((p, 1))
                groups[(p.get("team"), p.get("domain"), p.get("criticality"))] -= 1
    judged += [
        ({"pipeline_id": None, "team": t, "domain": d, "criticality": c}, n)
        for (t, d, c), n in groups.items()
        if n
    ]
    mismatches, states = 0, Counter()
    for p, n in judged:
        row, recommended = assignments.resolve(p), policies.recommended_profile(p.get("criticality"))
        mismatch = row is not None and row.profile != recommended
        mismatches += mismatch * n
        states[policies.exception_state(row, mismatch, at)] += n
    live = [r.live_exception_status(at) for r in policy_rows + dq_rows if r.is_exception]
    return {
        "policy_assignments": len(policy_rows),
        "dq_standards": len(dq_rows),
        "policy_mismatches": mismatches,
        "unmanaged_exceptions": states[ExceptionState.UNMANAGED],
        "approved_exceptions": live.count(ExceptionStatus.APPROVED),
        "expired_exceptions": live.count(ExceptionStatus.EXPIRED),
        "proposed_exceptions": live.count(ExceptionStatus.PROPOSED),
    }


def posture_trend(days: int, now: datetime | None = None, pipelines: list[dict] | None = None) -> list[dict]:
    """One point per UTC day, oldest first, the last one being today so far (active `pipelines`: read
    when not given)."""
    now = now or timezone.now()
    pipelines = warehouse_reads.pipelines() if pipelines is None else pipelines
    groups = _attribute_groups(pipelines)
    runs = {r["day"]: r for r in warehouse_reads.daily_runs(now, days)}
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=now.tzinfo)
    policy_replay, dq_replay = Replay(PolicyAssignment, now), Replay(DQStandard, now)
    policy_replay.advance(start)
    dq_replay.advance(start)
    points = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        end = min(datetime.combine(day + timedelta(days=1), time.min, tzinfo=now.tzinfo), now)
        changes = policy_replay.advance(end) + dq_replay.advance(end)
        r = runs.get(day, {"runs": 0, "failures": 0, "breaches": 0})
        points.append(
            {
                "date": day.isoformat(),
                "runs": r["runs"],
                "failures": r["failures"],
                "breaches": r["breaches"],
                "breach_ratio": ratio(r["breaches"], r["runs"]),
                "governance_changes": changes,
                **_day_governance(pipelines, groups, policy_replay.rows(), dq_replay.rows(), end),
            }
        )
    return points
