# ruff: noqa: E501  (test data: one record per line reads better than wrapped)
"""Small, explicit source answers for the ops page tests: what a source API with three pipelines
says on each route the pages read. `serve(stub, name)` registers them on a StubSource."""

PIPELINES = [
    {"pipeline_id": "p1", "pipeline_name": "orders_ingest", "team": "sales", "domain": "commercial",
     "criticality": "critical", "runs_7d": 40, "failures_7d": 3, "last_status": "FAILED",
     "last_end_ts": "2026-11-20T11:00:00Z", "runbook_url": "https://runbooks.example/p1"},
    {"pipeline_id": "p2", "pipeline_name": "ore_clean", "team": "ore", "domain": "processing",
     "criticality": "high", "runs_7d": 1100, "failures_7d": 0, "last_status": "SUCCESS",
     "last_end_ts": "2026-11-20T11:50:00Z", "runbook_url": None},
    {"pipeline_id": "p10", "pipeline_name": "fleet_model", "team": "fleet", "domain": "mining",
     "criticality": "low", "runs_7d": 7, "failures_7d": 1, "last_status": "RUNNING",
     "last_end_ts": "2026-11-19T08:00:00Z", "runbook_url": None},
]  # fmt: skip


def summary(name: str) -> dict:
    scale = 1 if name == "aws" else 2
    return {
        "pipelines": 3 * scale, "active": 3, "runs_24h": 100 * scale, "failures_24h": 4, "running": 1,
        "sla_breaches": 2, "stale_datasets": 5,
        "top_impacted_downstream_assets": [
            {"id": "dash.exec", "name": "Executive Dashboard", "kind": "dashboard", "criticality": "critical",
             "team": "sales", "impacted_by": 1, "failing_pipelines": ["p1"]},
        ],
        "cost_24h_aud": 100.0 * scale, "cost_7d_aud": 700.0 * scale, "cost_7d_daily_avg_aud": 100.0 * scale,
    }  # fmt: skip


INCIDENT = {
    "incident_id": "run:aws-p1-0007", "kind": "run_failed", "detected_ts": "2026-11-20T11:00:00Z",
    "run_id": "aws-p1-0007", "error_code": "SF_TIMEOUT", "error_message": "Statement reached its timeout",
    "reasons": [], "pipeline_id": "p1", "pipeline_name": "orders_ingest", "team": "sales",
    "domain": "commercial", "criticality": "critical", "runbook_url": "https://runbooks.example/p1",
    "impacted_consumers": 1, "severity": "sev1",
}  # fmt: skip
SLA_INCIDENT = {
    "incident_id": "sla:p2", "kind": "sla_breach", "detected_ts": "2026-11-20T10:00:00Z", "run_id": None,
    "error_code": None, "error_message": None, "reasons": ["freshness_breached"], "pipeline_id": "p2",
    "pipeline_name": "ore_clean", "team": "ore", "domain": "processing", "criticality": "high",
    "runbook_url": None, "impacted_consumers": 0, "severity": "sev3",
}  # fmt: skip

TRIAGE_ANSWER = {
    "summary": "Run aws-p1-0007 of orders_ingest failed with SF_TIMEOUT. 1 downstream consumer(s) affected, 1 critical or high.",
    "likely_cause": "The warehouse statement ran past its timeout.",
    "impacted_consumers": [{"id": "dash.exec", "name": "Executive Dashboard", "kind": "dashboard",
                            "criticality": "critical"}],
    "impact_summary": {"nodes_count": 3, "edges_count": 2, "degraded": False, "degraded_reasons": [],
                       "impact_model": "lineage_bfs_v1", "depth": 20, "max_nodes": 2000, "truncated": False,
                       "truncated_reason": None},
    "next_actions": ["Check the warehouse query history.", "Raise the statement timeout or split the load."],
    "runbook_references": [{"pipeline_id": "p1", "title": "orders_ingest runbook",
                            "url": "https://runbooks.example/p1", "status": "configured"}],
    "degraded": False, "warnings": [], "confidence": 0.8, "confidence_reason": "rule matched",
    "mode": "deterministic_rules_v1", "requested_mode": "deterministic",
    "facts_used": [{"id": "T1", "field": "run.run_id", "value": "aws-p1-0007", "source": "telemetry:PIPELINE_RUNS"},
                   {"id": "R1", "field": "runbook.status", "value": "configured", "source": "governance:runbooks"}],
    "traceability": {"evidence_links": [{"rel": "pipeline_runs", "href": "/api/pipelines/p1/runs", "fact_ids": ["T1"]}]},
    "evidence": {"engine": "deterministic_rules_v1", "rule": {"name": "warehouse-timeout", "category": "timeout"},
                 "matched_on": ["error_code"], "source": {"served_by": "aws"}},
    "generated_at": "2026-11-20T12:00:00Z",
}  # fmt: skip

ANOMALY = {
    "pipeline_id": "p2", "pipeline_name": "ore_clean", "team": "ore", "domain": "processing",
    "criticality": "high", "latest_cost_aud": 90.0, "baseline_median_aud": 10.0, "ratio": 9.0,
    "robust_z": 40.0, "severity": "high", "is_anomaly": True, "delta_aud": 80.0, "date": "2026-11-20",
}  # fmt: skip


def trend(name: str) -> dict:
    base = 100.0 if name == "aws" else 50.0
    series = [{"date": f"2026-11-{d:02d}", "cost_aud": base + d} for d in range(14, 21)]
    return {
        "days": 7,
        "series": series,
        "total_aud": sum(p["cost_aud"] for p in series),
        "daily_avg_aud": base,
    }


def effective(name: str) -> dict:
    items = [
        {"pipeline_id": "p1", "pipeline_name": "orders_ingest", "team": "sales", "domain": "commercial",
         "criticality": "critical", "recommended_profile": "strict", "assigned_profile": "relaxed",
         "assigned_scope": "team", "assigned_target_id": "sales", "effective_profile": "relaxed",
         "mismatch": True, "exception_state": "unmanaged", "breach_ratio_7d": 0.2, "sla_pressure": True},
        {"pipeline_id": "p2", "pipeline_name": "ore_clean", "team": "ore", "domain": "processing",
         "criticality": "high", "recommended_profile": "balanced", "assigned_profile": None,
         "effective_profile": "balanced", "mismatch": False, "exception_state": "none",
         "breach_ratio_7d": 0.0, "sla_pressure": False},
    ]  # fmt: skip
    summary = {"pipelines": 2, "assigned": 1, "mismatches": 1, "sla_pressure": 1,
               "unmanaged_exception_count": 1, "by_effective_profile": {"relaxed": 1, "balanced": 1}}  # fmt: skip
    return {"items": items, "total": 2, "offset": 0, "limit": 500, "summary": summary}


EXCEPTION = {
    "id": 7, "kind": "policy", "scope": "team", "target_id": "sales", "status": "proposed", "recorded_status": "proposed",
    "is_active": True, "exception_reason": "Quarter-end load", "proposed_by": "gina", "proposed_at": "2026-11-19T09:00:00Z",
    "exception_reviewer": "", "exception_reviewed_at": None, "review_note": "", "exception_expires_at": "2026-12-31T23:59:59Z",
    "review_due_at": "2026-11-25T00:00:00Z", "waiver_template": "", "days_to_expiry": 41.5, "profile": "relaxed",
}  # fmt: skip

HISTORY = [
    {"id": 1, "action": "assign", "scope": "team", "target_id": "sales", "changed_by": "gina",
     "changed_at": "2026-11-19T09:00:00Z", "reason": "pilot", "old_value": None,
     "new_value": {"profile": "relaxed"}, "request_id": "req-1"},
]  # fmt: skip


def incidents_daily(name: str) -> dict:
    """The incidents above per UTC day, over the 168 hours before 2026-11-20T12:00 (8 days, the
    first partial); azure's include an ongoing breach detected before the first day."""
    days = [f"2026-11-{d}" for d in range(13, 21)]
    zero = {"sev1": 0, "sev2": 0, "sev3": 0, "sev4": 0, "incidents": 0}
    today = {"sev1": 1, "sev2": 0, "sev3": 1, "sev4": 0, "incidents": 2} if name == "aws" else zero
    earlier = zero if name == "aws" else {**zero, "sev4": 1, "incidents": 1}
    return {"hours": 168, "since_ts": "2026-11-13T12:00:00Z", "days": [{"date": d, **zero} for d in days[:-1]]
            + [{"date": days[-1], **today}], "earlier": earlier,
            "by_severity": {s: today[s] + earlier[s] for s in ("sev1", "sev2", "sev3", "sev4")},
            "incidents": today["incidents"] + earlier["incidents"], "generated_at": "2026-11-20T12:00:00Z"}  # fmt: skip


def serve(stub, name: str) -> None:
    """Every route the pages read, answered as a small healthy source would."""
    page = lambda items: {"items": items, "total": len(items), "offset": 0, "limit": 50}  # noqa: E731
    stub.reply("/api/summary", summary(name))
    stub.catalogue(PIPELINES)
    stub.reply("/api/costs", {"cost_24h_aud": 10.0, "cost_7d_aud": 70.0, "cost_7d_daily_avg_aud": 10.0,
                              "by_team": [{"team": "ore", "cost_7d_aud": 50.0, "pipelines": 1}],
                              "by_domain": [{"domain": "processing", "cost_7d_aud": 50.0}]})  # fmt: skip
    stub.reply("/api/incidents", {**page([INCIDENT, SLA_INCIDENT] if name == "aws" else []), "hours": 24,
                                  "by_severity": {"sev1": 1, "sev2": 0, "sev3": 1, "sev4": 0}})  # fmt: skip
    stub.reply("/api/incidents/daily", incidents_daily(name))
    stub.reply(
        "/api/explain/run/aws-p1-0007",
        TRIAGE_ANSWER if name == "aws" else None,
        200 if name == "aws" else 404,
    )
    stub.reply("/api/triage/query", TRIAGE_ANSWER)
    runbooks = [{**p, "runbook_status": "configured" if p["runbook_url"] else "missing", "owner": "o@example.com",
                 "governance_state": "none"} for p in PIPELINES]  # fmt: skip
    stub.reply("/api/runbooks", {**page(runbooks), "coverage": {"total": 3, "configured": 1, "missing": 2}})
    stub.reply("/api/runbooks/governance", {**page([]), "counts_by_state": {}})
    stub.reply("/api/costs/trend", trend(name))
    stub.reply("/api/costs/anomalies", {**page([ANOMALY] if name == "aws" else []), "date": "2026-11-20"})
    stub.reply("/api/costs/anomalies/investigate/p2", {"pipeline_id": "p2", "anomaly": ANOMALY,
                                                        "pipeline": {"team": "ore"}, "trend": {"items": trend(name)["series"]},
                                                        "top_cost_runs": [{"run_id": "aws-p2-0001", "cost_aud": 90.0}]})  # fmt: skip
    sla = [
        {
            "pipeline_id": "p1",
            "team": "sales",
            "status": "breached",
            "breach_ratio": 0.2,
            "criticality": "critical",
        }
    ]
    stub.reply("/api/sla/pipelines", handler=lambda req: (  # `status` filters at the source
        200, page([r for r in sla if r["status"] in req.query.get("status", [r["status"]])])))  # fmt: skip
    stub.reply("/api/datasets/stale", page([{"dataset_id": f"{name}.raw.orders", "name": "raw.orders", "kind": "table",
                                             "team": "sales", "last_updated_ts": None, "overdue_minutes": None}]))  # fmt: skip
    stub.reply("/api/dq/effective", page([]))
    stub.reply(
        "/api/governance/posture", {"pipelines": 3, "grade": "C", "runbooks": {"total": 3, "configured": 1}}
    )
    stub.reply(
        "/api/scorecards/teams", page([{"team": "sales", "score": 61.5, "grade": "C", "pipelines": 1}])
    )
    stub.reply("/api/policies/profiles", {"items": [{"profile": "strict", "thresholds": {}}], "total": 1})
    stub.reply("/api/policies/effective", effective(name))
    stub.reply("/api/policies/history", page(HISTORY if name == "aws" else []))
    stub.reply(
        "/api/policies/exceptions/register",
        {**page([EXCEPTION] if name == "aws" else []), "counts": {"proposed": 1}},
    )
    stub.reply("/api/policies/review-queue", {**page([]), "counts": {}})
    stub.reply("/api/dq/standards", {**page([]), "baseline": {"max_failures_7d": 3}})
    stub.reply("/version", {"build": {"build_id": "b1", "git_sha": "abc123", "release_tag": "v1"}})
    stub.reply(
        "/api/triage/assisted/telemetry", {"window_days": 7, "total": 0, "by_status": {}, "recent": []}
    )
    stub.reply(
        "/api/triage/assisted/provider/status", {"enabled": False, "configured": False, "providers": {}}
    )
