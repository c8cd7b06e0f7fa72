"""One pipeline's governance standing, for answers outside governance: its SLA policy (effective
profile, mismatch, exception, breach ratio against the profile's limit) and its DQ standards
(pass / fail / waived, failing standards), each with links. pipelines_app's cost investigation
asks through the CT_PIPELINE_STANDING_PROVIDER setting (governance sits above it)."""

from django.utils import timezone

from . import dq, policies, warehouse_reads


def of_pipeline(pipeline: dict) -> dict:
    """{"policy_pressure": ..., "dq_pressure": ...} for a PIPELINES row, evaluated now."""
    now = timezone.now()
    rows, pid = [pipeline], pipeline["pipeline_id"]
    evidence = warehouse_reads.run_evidence(rows, now)
    policy = policies.effective_policies(rows, evidence, now)[0]
    standards = dq.evaluate_all(rows, evidence, now)[0]
    page = dq.action_links(pid)["governance"]
    return {
        "policy_pressure": {
            "pressure": policy["sla_pressure"] or policy["exception_state"] == "unmanaged",
            **{k: policy[k] for k in POLICY_FIELDS},
            "links": {"api": f"/api/policies/effective?pipeline_id={pid}", "page": page},
        },
        "dq_pressure": {
            "pressure": standards["status"] == "fail",
            **{k: standards[k] for k in DQ_FIELDS},
            "links": {"api": f"/api/dq/effective?pipeline_id={pid}", "page": page},
        },
    }


POLICY_FIELDS = (
    "effective_profile",
    "recommended_profile",
    "mismatch",
    "exception_state",
    "breach_ratio_7d",
    "sla_pressure",
)
DQ_FIELDS = ("status", "failing_standards", "exception_status")
