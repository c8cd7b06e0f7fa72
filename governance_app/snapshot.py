"""One pass over telemetry and the store that scorecards, posture, reports and the export bundle
share: pipelines, run evidence (this week and last), cost anomalies, effective policies, DQ
results and the runbook catalog — a fixed number of queries whatever the estate's size."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from . import dq, policies, runbooks, shared_reads, warehouse_reads


@dataclass
class Snapshot:
    now: datetime
    pipelines: list[dict]
    evidence: dict[str, dict]
    anomalies: dict[str, int]
    policy_items: list[dict]
    dq_items: list[dict]
    runbook_entries: list[dict]

    @cached_property
    def policy_by_id(self) -> dict[str, dict]:
        return {i["pipeline_id"]: i for i in self.policy_items}

    @cached_property
    def dq_by_id(self) -> dict[str, dict]:
        return {i["pipeline_id"]: i for i in self.dq_items}

    @cached_property
    def runbook_by_id(self) -> dict[str, dict]:
        return {i["pipeline_id"]: i for i in self.runbook_entries}


def build(now: datetime | None = None) -> Snapshot:
    """The estate at `now`; without one, the shared evaluation's (shared_reads: one per process while
    the response cache may keep an answer, the policy and DQ answers' very evaluation)."""
    if now is None:
        return of(shared_reads.evaluation())
    pipelines = warehouse_reads.pipelines()
    evidence = warehouse_reads.run_evidence(pipelines, now)
    return Snapshot(
        now=now,
        pipelines=pipelines,
        evidence=evidence,
        anomalies=warehouse_reads.anomalous_pipelines(),
        policy_items=policies.effective_policies(pipelines, evidence, now),
        dq_items=dq.evaluate_all(pipelines, evidence, now),
        runbook_entries=runbooks.catalog_entries(pipelines),
    )


def of(evaluation: shared_reads.Evaluation) -> Snapshot:
    return Snapshot(
        now=evaluation.now,
        pipelines=evaluation.pipelines,
        evidence=evaluation.evidence,
        anomalies=evaluation.anomalies,
        policy_items=evaluation.policy_items,
        dq_items=evaluation.dq_items,
        runbook_entries=evaluation.runbook_entries,
    )


def breaches(evidence: dict | None, *, previous: bool = False) -> tuple[int, int]:
    """(breached runs, finished runs) this week, or last week with `previous`."""
    if not evidence:
        return 0, 0
    if previous:
        return evidence["previous_breaches"], evidence["previous_runs"]
    return evidence["breaches"], evidence["runs"]


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None
