"""Team scorecards: how well each team meets the standards, as one composite score.

score (0-100) = 100 x (0.30 dq_pass_ratio + 0.20 policy_aligned_ratio + 0.20 runbook_coverage
                      + 0.15 ownership_ratio + 0.15 sla_health) - min(10, 2 x anomaly_count)
where policy_aligned_ratio counts pipelines whose exception state is `none` or `approved`,
sla_health = 1 - min(1, breach_ratio / 0.20) (1 without runs; breaches as pipelines_app.sla
counts them), and anomaly_count is the number of pipelines whose cost is an anomaly on the
latest usage day (pipelines_app.cost_anomalies). Grades: A >= 90, B >= 75, C >= 60,
D >= 40, else F. `sla_pressure_trend` compares this week's breach ratio with last week's:
`up` (worse by more than one point), `down` (better by more than one point), `flat`, or null."""

from collections import defaultdict

from .choices import ExceptionState, RunbookStatus
from .snapshot import Snapshot, breaches, ratio

UNASSIGNED_TEAM = "(no team)"
WEIGHTS = {"dq": 0.30, "policy": 0.20, "runbooks": 0.20, "ownership": 0.15, "sla": 0.15}
BREACH_RATIO_FOR_ZERO = 0.20
TREND_THRESHOLD = 0.01
SCORECARD_COLUMNS = [
    "team",
    "score",
    "grade",
    "pipelines",
    "dq_failures",
    "dq_pass_ratio",
    "policy_mismatches",
    "unmanaged_exceptions",
    "policy_aligned_ratio",
    "runbook_coverage",
    "ownership_ratio",
    "anomaly_count",
    "breach_ratio",
    "previous_breach_ratio",
    "sla_pressure_trend",
]


def grade(score: float) -> str:
    return next((g for g, floor in (("A", 90), ("B", 75), ("C", 60), ("D", 40)) if score >= floor), "F")


def trend(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None:
        return None
    if current - previous > TREND_THRESHOLD:
        return "up"
    return "down" if previous - current > TREND_THRESHOLD else "flat"


def composite(parts: dict, anomaly_count: int) -> float:
    raw = sum(WEIGHTS[k] * parts[k] for k in WEIGHTS) * 100 - min(10, 2 * anomaly_count)
    return round(max(0.0, min(100.0, raw)), 1)


def score_inputs(pipeline_ids: list[str], snap: Snapshot) -> dict:
    """The counts a score is made of. They add up across sources, so a control tier recomputes
    a merged score from the summed inputs (`card`) instead of averaging scores."""
    pol, dqi, rb = snap.policy_by_id, snap.dq_by_id, snap.runbook_by_id
    now_b = [breaches(snap.evidence.get(p)) for p in pipeline_ids]
    prev_b = [breaches(snap.evidence.get(p), previous=True) for p in pipeline_ids]
    states = [pol[p]["exception_state"] for p in pipeline_ids]
    return {
        "pipelines": len(pipeline_ids),
        "dq_failures": sum(1 for p in pipeline_ids if dqi[p]["status"] == "fail"),
        "policy_aligned": sum(1 for s in states if s in (ExceptionState.NONE, ExceptionState.APPROVED)),
        "policy_mismatches": sum(1 for p in pipeline_ids if pol[p]["mismatch"]),
        "unmanaged_exceptions": sum(1 for s in states if s == ExceptionState.UNMANAGED),
        "runbooks_configured": sum(
            1 for p in pipeline_ids if rb[p]["runbook_status"] == RunbookStatus.CONFIGURED
        ),
        "owned": sum(1 for p in pipeline_ids if (rb[p]["owner"] or "").strip()),
        "anomaly_count": sum(snap.anomalies.get(p, 0) for p in pipeline_ids),
        "breached_runs": sum(b for b, _ in now_b),
        "finished_runs": sum(r for _, r in now_b),
        "previous_breached_runs": sum(b for b, _ in prev_b),
        "previous_finished_runs": sum(r for _, r in prev_b),
    }


def card(name: str, inputs: dict) -> dict:
    """A scorecard from its inputs (score_inputs, or several sources' inputs added up)."""
    n = inputs["pipelines"]
    breach_ratio = ratio(inputs["breached_runs"], inputs["finished_runs"])
    previous = ratio(inputs["previous_breached_runs"], inputs["previous_finished_runs"])
    parts = {
        "dq": (n - inputs["dq_failures"]) / n,
        "policy": inputs["policy_aligned"] / n,
        "runbooks": inputs["runbooks_configured"] / n,
        "ownership": inputs["owned"] / n,
        "sla": 1.0 if breach_ratio is None else 1 - min(1.0, breach_ratio / BREACH_RATIO_FOR_ZERO),
    }
    score = composite(parts, inputs["anomaly_count"])
    return {
        "team": name,
        "score": score,
        "grade": grade(score),
        "pipelines": n,
        "dq_failures": inputs["dq_failures"],
        "dq_pass_ratio": round(parts["dq"], 4),
        "policy_mismatches": inputs["policy_mismatches"],
        "unmanaged_exceptions": inputs["unmanaged_exceptions"],
        "policy_aligned_ratio": round(parts["policy"], 4),
        "runbook_coverage": round(parts["runbooks"], 4),
        "ownership_ratio": round(parts["ownership"], 4),
        "anomaly_count": inputs["anomaly_count"],
        "breach_ratio": breach_ratio,
        "previous_breach_ratio": previous,
        "sla_pressure_trend": trend(breach_ratio, previous),
        "score_inputs": inputs,
    }


def score_group(name: str, pipeline_ids: list[str], snap: Snapshot) -> dict:
    return card(name, score_inputs(pipeline_ids, snap))


def team_scorecards(snap: Snapshot) -> list[dict]:
    """One scorecard per team, worst score first (ties by team name)."""
    teams: dict[str, list[str]] = defaultdict(list)
    for p in snap.pipelines:
        teams[p.get("team") or UNASSIGNED_TEAM].append(p["pipeline_id"])
    cards = [score_group(team, ids, snap) for team, ids in teams.items()]
    return sorted(cards, key=lambda c: (c["score"], c["team"]))


def estate_score(snap: Snapshot) -> dict:
    """The same composite over every pipeline (the posture score)."""
    ids = [p["pipeline_id"] for p in snap.pipelines]
    return score_group("(all)", ids, snap) if ids else {}
