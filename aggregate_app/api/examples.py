"""OpenAPI examples for the control tier's main answers (POSTPROCESSING_HOOKS entry, after the
answers are typed): the source examples (pipelines_app/api/examples.py) as two sources, "aws" and
"azure", would answer, merged by the route's own rule, with `_meta` as aggregate_app/meta.py builds it."""

import copy

from aggregate_app import meta
from aggregate_app.merge import GRAPH, SUM, concat_sorted
from aggregate_app.merge.lists import Page
from aggregate_app.outcome import Outcome
from pipelines_app.api import examples as ex

LATENCY_MS = {"aws": 184.2, "azure": 231.7}


def _azure_incident() -> dict:
    row = copy.deepcopy(ex.INCIDENT)
    row.update(
        incident_id="run:azure-p2-002876",
        detected_ts="2026-12-04T23:41:12Z",
        run_id="azure-p2-002876",
        started_ts="2026-12-04T23:38:02Z",
        ended_ts="2026-12-04T23:41:12Z",
        error_code="002003",
        error_message="SQL compilation error: Object 'RAW.MINING_OPERATIONS.DRILL_LOGS' does not exist "
        "or not authorized.",
        pipeline_id="p2",
        pipeline_name="drill_logs_extract",
        team="fleet-analytics",
        domain="mining-operations",
        owner="zoe.williams@bhp-lab.example",
        criticality="critical",
        runbook_url="https://runbooks.bhp-lab.example/azure/fleet-analytics/drill_logs_extract",
        impacted_consumers=17,
        severity="sev1",
    )
    return row


def _merged(source_path: str, rule, answers: dict, page: Page | None = None) -> dict:
    outcomes = {n: Outcome(n, "ok", 200, latency_ms=LATENCY_MS[n], data=a) for n, a in answers.items()}
    body = rule.merge(copy.deepcopy(answers), page)
    body["_meta"] = meta.build(source_path, outcomes, list(LATENCY_MS)) | {"generated_at": ex.GENERATED_AT}
    return body


def _examples() -> dict[str, tuple[str, dict]]:
    """{aggregate path: (summary, merged answer)}"""
    azure_summary = ex.SUMMARY | {"pipelines": 30, "active": 29, "runs_24h": 960, "failures_24h": 12}
    azure_summary |= {"sla_breaches": 2, "stale_datasets": 7, "cost_24h_aud": 388.1, "cost_7d_aud": 2702.55}
    azure_summary |= {"cost_7d_daily_avg_aud": 386.08, "top_impacted_downstream_assets": []}
    summary = _merged("/api/summary", SUM, {"aws": ex.SUMMARY, "azure": azure_summary})
    summary |= {"pipelines": 50, "active": 48}  # merged pipelines: the 20 both sources run count once
    azure_incidents = ex.INCIDENTS | {"items": [_azure_incident()], "total": 19}
    azure_incidents |= {"by_severity": {"sev1": 6, "sev2": 5, "sev3": 3, "sev4": 5}}
    incidents = _merged(
        "/api/incidents",
        concat_sorted("detected_ts"),
        {"aws": ex.INCIDENTS, "azure": azure_incidents},
        Page(0, 2),
    )
    impact = _merged("/api/pipelines/p2/impact", GRAPH, {"aws": ex.IMPACT, "azure": ex.IMPACT})
    return {
        "/api/aggregate/summary": ("Two sources added up, each one's figures under by_source", summary),
        "/api/aggregate/incidents": ("The newest incident of each source (`limit=2`)", incidents),
        "/api/aggregate/pipelines/{pipeline_id}/impact": ("p2's graph, as both sources know it", impact),
    }


def document_examples(result: dict, generator, request, public) -> dict:
    """Each main aggregate route's 200 answer gets its example."""
    paths = result.get("paths", {})
    for path, (summary, value) in _examples().items():
        json = paths.get(path, {}).get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if "application/json" in json:
            json["application/json"]["examples"] = {"TwoSources": {"value": value, "summary": summary}}
    return result
