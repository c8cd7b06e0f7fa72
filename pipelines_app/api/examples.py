"""OpenAPI examples for the main answers (drf-spectacular `OpenApiExample`), taken from a demo
source's real answers (`load_demo --source aws`) and cut to one or two rows. The control tier's
mirrors reuse them (aggregate_app/api/schema.py) with `_meta` added."""

from drf_spectacular.utils import OpenApiExample

GENERATED_AT = "2026-12-05T00:00:42Z"

SUMMARY = {
    "pipelines": 40,
    "active": 38,
    "runs_24h": 1280,
    "failures_24h": 51,
    "running": 6,
    "sla_breaches": 5,
    "stale_datasets": 19,
    "top_impacted_downstream_assets": [
        {
            "id": "aws.ml_model.commercial.customer_contracts_anomaly_detector",
            "name": "Customer Contracts Anomaly Detector",
            "kind": "ml_model",
            "criticality": "critical",
            "owner": "ruby.wilson@bhp-lab.example",
            "team": "commercial-analytics",
            "impacted_by": 1,
            "failing_pipelines": ["aws-p68"],
        }
    ],
    "top_impacted_truncated": False,
    "top_impacted_truncated_reasons": [],
    "cost_24h_aud": 612.4,
    "cost_7d_aud": 4314.73,
    "cost_7d_daily_avg_aud": 616.39,
    "generated_at": GENERATED_AT,
}

PIPELINE = {
    "pipeline_id": "aws-p61",
    "pipeline_name": "leave_balances_extract",
    "namespace": "airflow://bhp-aws",
    "team": "people-analytics",
    "domain": "people",
    "owner": "oliver.jones@bhp-lab.example",
    "criticality": "medium",
    "platform": "airflow",
    "schedule": "*/15 * * * *",
    "expected_interval_minutes": 15,
    "freshness_sla_minutes": 46,
    "max_duration_minutes": 16,
    "runbook_url": "https://runbooks.bhp-lab.example/aws/people-analytics/leave_balances_extract",
    "tags": ["bronze", "realtime", "customer-facing"],
    "is_active": True,
    "created_ts": "2026-09-21T00:00:00Z",
    "runs_7d": 672,
    "failures_7d": 2,
    "last_end_ts": "2026-12-04T23:53:21Z",
    "last_status": "SUCCESS",
    "last_run_id": "aws-p61-000960",
    "last_start_ts": "2026-12-04T23:47:43Z",
}
PIPELINES = {"items": [PIPELINE], "total": 40, "offset": 0, "limit": 1}

INCIDENT = {
    "incident_id": "run:aws-p68-000960",
    "kind": "run_failed",
    "detected_ts": "2026-12-04T23:53:35Z",
    "run_id": "aws-p68-000960",
    "started_ts": "2026-12-04T23:51:36Z",
    "ended_ts": "2026-12-04T23:53:35Z",
    "attempt": 1,
    "error_code": "390114",
    "error_message": "ExpiredToken: The security token included in the request is expired "
    "(role ore-processing-etl)",
    "reasons": [],
    "sla": None,
    "pipeline_id": "aws-p68",
    "pipeline_name": "reagent_usage_cdc_load",
    "team": "ore-processing",
    "domain": "processing",
    "owner": "noah.smith@bhp-lab.example",
    "criticality": "high",
    "runbook_url": "https://runbooks.bhp-lab.example/aws/ore-processing/reagent_usage_cdc_load",
    "impacted_consumers": 3,
    "impact_truncated": False,
    "impact_truncated_reason": None,
    "severity": "sev2",
}
INCIDENTS = {
    "items": [INCIDENT],
    "total": 82,
    "offset": 0,
    "limit": 1,
    "hours": 48,
    "by_severity": {"sev1": 31, "sev2": 23, "sev3": 7, "sev4": 21},
    "generated_at": GENERATED_AT,
}

IMPACT = {
    "pipeline_id": "p2",
    "impact_model": "lineage_bfs_v1",
    "depth": 20,
    "nodes": [
        {
            "id": "p2",
            "kind": "pipeline",
            "name": "drill_logs_extract",
            "namespace": "airflow://bhp-platform",
            "criticality": "critical",
            "depth": 0,
        },
        {
            "id": "raw.mining_operations.drill_logs",
            "kind": "table",
            "name": "RAW.MINING_OPERATIONS.DRILL_LOGS",
            "namespace": "snowflake://bhp-platform",
            "criticality": "critical",
            "depth": 1,
        },
        {
            "id": "aws-p71",
            "kind": "pipeline",
            "name": "drill_logs_clean",
            "namespace": "airflow://bhp-aws",
            "criticality": "medium",
            "depth": 2,
        },
        {
            "id": "core.mining_operations.drill_logs",
            "kind": "table",
            "name": "CORE.MINING_OPERATIONS.DRILL_LOGS",
            "namespace": "snowflake://bhp-platform",
            "criticality": "high",
            "depth": 3,
        },
        {
            "id": "aws.dashboard.mining_operations.drill_logs_operations_overview",
            "kind": "dashboard",
            "name": "Drill Logs Operations Overview",
            "namespace": "tableau://bhp-aws",
            "criticality": "critical",
            "depth": 4,
        },
    ],
    "edges": [
        {
            "src": "p2",
            "src_kind": "pipeline",
            "dst": "raw.mining_operations.drill_logs",
            "dst_kind": "dataset",
        },
        {
            "src": "raw.mining_operations.drill_logs",
            "src_kind": "dataset",
            "dst": "aws-p71",
            "dst_kind": "pipeline",
        },
        {
            "src": "aws-p71",
            "src_kind": "pipeline",
            "dst": "core.mining_operations.drill_logs",
            "dst_kind": "dataset",
        },
        {
            "src": "core.mining_operations.drill_logs",
            "src_kind": "dataset",
            "dst": "aws.dashboard.mining_operations.drill_logs_operations_overview",
            "dst_kind": "dashboard",
        },
    ],
    "impacted_consumers": [
        {
            "id": "aws.dashboard.mining_operations.drill_logs_operations_overview",
            "name": "Drill Logs Operations Overview",
            "namespace": "tableau://bhp-aws",
            "kind": "dashboard",
            "criticality": "critical",
            "owner": "jack.brown@bhp-lab.example",
            "team": "fleet-analytics",
            "depth": 4,
        },
    ],
    "nodes_count": 5,
    "edges_count": 4,
    "truncated": False,
    "truncated_reason": None,
    "max_nodes": 2000,
    "degraded": False,
    "degraded_reasons": [],
    "generated_at": GENERATED_AT,
}

LINEAGE_EVENT = {
    "eventType": "COMPLETE",
    "eventTime": "2026-12-04T21:14:08Z",
    "producer": "https://github.com/apache/airflow/tree/providers-openlineage/2.3.0",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "0193a1f2-7c4e-7b21-9d3a-5f0c2e8b1a47", "facets": {}},
    "job": {"namespace": "airflow://bhp-aws", "name": "finance_daily.load_ledger", "facets": {}},
    "inputs": [{"namespace": "snowflake://bhp-platform", "name": "RAW.FINANCE.GL_ENTRIES"}],
    "outputs": [{"namespace": "snowflake://bhp-platform", "name": "CORE.FINANCE.LEDGER_DAILY"}],
}
LINEAGE_ACCEPTED = {
    "accepted": 1,
    "kind": "run",
    "pipeline_id": "ol_218a568c595550e1",
    "run_id": "0193a1f2-7c4e-7b21-9d3a-5f0c2e8b1a47",
}


def answer(name: str, value: dict, summary: str) -> OpenApiExample:
    """A 200 answer's example."""
    return OpenApiExample(name, value=value, summary=summary, response_only=True, status_codes=["200"])


SUMMARY_EXAMPLES = [answer("Overview", SUMMARY, "A source of 40 pipelines, one failing into an ML model")]
PIPELINES_EXAMPLES = [answer("One page", PIPELINES, "The first pipeline of 40 (`limit=1`)")]
INCIDENTS_EXAMPLES = [answer("A failed run", INCIDENTS, "The newest of 82 incidents in 48 hours (`limit=1`)")]
IMPACT_EXAMPLES = [answer("Down to a dashboard", IMPACT, "p2 feeds a critical dashboard four hops away")]
LINEAGE_EXAMPLES = [
    OpenApiExample(
        "A completed run", value=LINEAGE_EVENT, summary="Airflow's COMPLETE event", request_only=True
    ),
    answer("Accepted", LINEAGE_ACCEPTED, "Read into a run of the job's pipeline"),
]
