"""Merge rules, one by one, on answers shaped like the source API's."""

from aggregate_app.catalog import identity_conflict
from aggregate_app.merge import (
    BY_SOURCE,
    CONCAT,
    CONSENSUS,
    EXPORT,
    FIRST_FOUND,
    GRAPH,
    SERIES,
    SINGLE,
    SUM,
    CsvBody,
    Page,
    concat_sorted,
    entity,
)


def test_summary_adds_counts_and_money():
    aws = {
        "pipelines": 40,
        "runs_24h": 1130,
        "stale_datasets": 6,
        "cost_24h_aud": 409.9,
        "cost_7d_aud": 5053.69,
    }
    azure = {"pipelines": 22, "runs_24h": 300, "stale_datasets": 0, "cost_24h_aud": 0.2, "cost_7d_aud": 11.11}
    body = SUM.merge({"aws": aws, "azure": azure}, None)
    assert body["pipelines"] == 62 and body["runs_24h"] == 1430 and body["stale_datasets"] == 6
    assert body["cost_24h_aud"] == 410.1  # money rounded to cents, not 410.09999999999997
    assert body["cost_7d_aud"] == 5064.8
    assert body["by_source"] == {"aws": aws, "azure": azure}


def test_summary_does_not_add_rates_averages_or_windows():
    aws = {"success_rate_7d": 0.9, "avg_duration_seconds": 40, "hours": 24, "cost_7d_daily_avg_aud": 700.0}
    azure = {"success_rate_7d": 0.5, "avg_duration_seconds": 60, "hours": 24, "cost_7d_daily_avg_aud": 10.5}
    body = SUM.merge({"aws": aws, "azure": azure}, None)
    assert body["success_rate_7d"] is None and body["avg_duration_seconds"] is None  # by_source has them
    assert body["hours"] == 24  # equal parameters stay
    assert body["cost_7d_daily_avg_aud"] == 710.5  # a daily average of money adds across sources


def test_summary_timestamps_take_the_latest_and_nested_counts_add():
    aws = {"generated_at": "2026-11-20T12:00:01Z", "by_severity": {"sev1": 1, "sev2": 2}, "degraded": False}
    azure = {"generated_at": "2026-11-20T12:00:03Z", "by_severity": {"sev1": 4, "sev3": 1}, "degraded": True}
    body = SUM.merge({"aws": aws, "azure": azure}, None)
    assert body["generated_at"] == "2026-11-20T12:00:03Z"
    assert body["by_severity"] == {"sev1": 5, "sev2": 2, "sev3": 1}
    assert body["degraded"] is True


def test_summary_lists_of_entities_merge_by_id():
    aws = {
        "top_impacted_downstream_assets": [{"id": "dash.a", "impacted_by": 2, "failing_pipelines": ["p7"]}]
    }
    azure = {
        "top_impacted_downstream_assets": [
            {"id": "dash.a", "impacted_by": 1, "failing_pipelines": ["p9"]},
            {"id": "dash.b", "impacted_by": 1, "failing_pipelines": ["p1"]},
        ]
    }
    assets = SUM.merge({"aws": aws, "azure": azure}, None)["top_impacted_downstream_assets"]
    assert [(a["id"], a["impacted_by"], a["failing_pipelines"], a["sources"]) for a in assets] == [
        ("dash.a", 3, ["p7", "p9"], ["aws", "azure"]),
        ("dash.b", 1, ["p1"], ["azure"]),
    ]


def test_summary_lists_without_an_identity_concatenate_with_a_source_tag():
    aws = {"runs": [{"pipeline_id": "p2", "n": 1}, {"pipeline_id": "p2", "n": 2}], "warnings": ["slow"]}
    azure = {"runs": [{"pipeline_id": "p2", "n": 3}], "warnings": ["slow", "partial"]}
    body = SUM.merge({"aws": aws, "azure": azure}, None)
    assert [(r["source"], r["n"]) for r in body["runs"]] == [("aws", 1), ("aws", 2), ("azure", 3)]
    assert body["warnings"] == ["slow", "partial"]


def test_lists_concatenate_with_a_source_tag_and_totals_add():
    aws = {"items": [{"incident_id": "a1"}, {"incident_id": "a2"}], "total": 2, "offset": 0, "limit": 50}
    azure = {
        "items": [{"incident_id": "z1"}],
        "total": 1,
        "offset": 0,
        "limit": 50,
        "by_severity": {"sev1": 1},
    }
    body = CONCAT.merge({"aws": aws, "azure": azure}, Page(0, 50))
    assert [(i["source"], i["incident_id"]) for i in body["items"]] == [
        ("aws", "a1"),
        ("aws", "a2"),
        ("azure", "z1"),
    ]
    assert (body["total"], body["offset"], body["limit"]) == (3, 0, 50)
    assert body["by_severity"] == {"sev1": 1}


def test_concatenated_pages_slice_the_merged_windows():
    aws = {"items": [{"n": i} for i in range(4)], "total": 4}
    azure = {"items": [{"n": 10 + i} for i in range(4)], "total": 9}
    body = CONCAT.merge({"aws": aws, "azure": azure}, Page(offset=3, limit=2))
    assert [(i["source"], i["n"]) for i in body["items"]] == [("aws", 3), ("azure", 10)]
    assert body["total"] == 13


def test_concat_sorted_orders_across_sources_with_missing_values_last():
    aws = {"items": [{"id": "a", "detected_ts": "2026-11-20T10:00:00Z"}, {"id": "b"}]}
    azure = {"items": [{"id": "c", "detected_ts": "2026-11-20T11:00:00Z"}]}
    body = concat_sorted("detected_ts").merge({"aws": aws, "azure": azure}, Page(0, 10))
    assert [i["id"] for i in body["items"]] == ["c", "a", "b"]


def pipeline(pid, runs_7d, last_end_ts, last_status="SUCCESS", **extra):
    return {
        "pipeline_id": pid,
        "team": "t",
        "runs_7d": runs_7d,
        "failures_7d": 1,
        "last_end_ts": last_end_ts,
        "last_status": last_status,
        "max_duration_minutes": 30,
        "expected_interval_minutes": 5,
        **extra,
    }


def test_one_pipeline_from_several_sources_merges_as_one_row():
    body = entity("pipeline_id", identity_conflict).merge(
        {
            "aws": pipeline("p2", 1100, "2026-11-20T11:00:00Z"),
            "azure": pipeline("p2", 4, "2026-11-20T12:00:00Z"),
        }
    )
    assert (body["pipeline_id"], body["runs_7d"], body["last_end_ts"]) == ("p2", 1104, "2026-11-20T12:00:00Z")


def test_impact_unions_graphs():
    aws = {
        "pipeline_id": "p2",
        "impact_model": "lineage_bfs_v1",
        "depth": 5,
        "degraded": False,
        "nodes": [{"id": "p2", "kind": "pipeline"}, {"id": "raw.x", "kind": "table"}],
        "edges": [{"src": "p2", "src_kind": "pipeline", "dst": "raw.x", "dst_kind": "dataset"}],
        "impacted_consumers": [{"id": "dash.a", "kind": "dashboard"}],
        "nodes_count": 2,
        "edges_count": 1,
        "impact_summary": {"nodes_count": 2, "edges_count": 1},
    }
    azure = {
        "pipeline_id": "p2",
        "impact_model": "lineage_bfs_v1",
        "depth": 5,
        "degraded": True,
        "nodes": [{"id": "p2", "kind": "pipeline"}, {"id": "raw.y", "kind": "table"}],
        "edges": [
            {"src": "p2", "src_kind": "pipeline", "dst": "raw.x", "dst_kind": "dataset"},
            {"src": "p2", "src_kind": "pipeline", "dst": "raw.y", "dst_kind": "dataset"},
        ],
        "impacted_consumers": [{"id": "dash.a", "kind": "dashboard"}, {"id": "ml.b", "kind": "ml_model"}],
        "nodes_count": 2,
        "edges_count": 2,
        "impact_summary": {"nodes_count": 2, "edges_count": 2},
    }
    body = GRAPH.merge({"aws": aws, "azure": azure}, None)
    assert [(n["id"], n["sources"]) for n in body["nodes"]] == [
        ("p2", ["aws", "azure"]),
        ("raw.x", ["aws"]),
        ("raw.y", ["azure"]),
    ]
    assert [(e["dst"], e["sources"]) for e in body["edges"]] == [
        ("raw.x", ["aws", "azure"]),
        ("raw.y", ["azure"]),
    ]
    assert [c["id"] for c in body["impacted_consumers"]] == ["dash.a", "ml.b"]
    assert (body["nodes_count"], body["edges_count"]) == (3, 2)
    assert body["impact_summary"] == {"nodes_count": 3, "edges_count": 2}
    assert body["degraded"] is True and body["depth"] == 5 and body["impact_model"] == "lineage_bfs_v1"
    assert body["sources"] == ["aws", "azure"]


def test_series_add_up_point_by_point_in_date_order():
    aws = {
        "days": 2,
        "total_aud": 3.0,
        "series": [
            {"date": "2026-11-19", "cost_aud": 1.0, "runs": 1},
            {"date": "2026-11-20", "cost_aud": 2.0, "runs": 2},
        ],
    }
    azure = {
        "days": 2,
        "total_aud": 0.5,
        "series": [
            {"date": "2026-11-18", "cost_aud": 0.25, "runs": 1},
            {"date": "2026-11-20", "cost_aud": 0.25, "runs": 1},
        ],
    }
    body = SERIES.merge({"aws": aws, "azure": azure}, None)
    assert [(p["date"], p["cost_aud"], p["runs"]) for p in body["series"]] == [
        ("2026-11-18", 0.25, 1),
        ("2026-11-19", 1.0, 1),
        ("2026-11-20", 2.25, 3),
    ]
    assert body["series"][2]["by_source"]["azure"]["cost_aud"] == 0.25
    assert body["total_aud"] == 3.5 and body["days"] == 2


def test_by_source_keeps_answers_side_by_side():
    assert BY_SOURCE.merge({"aws": {"status": "ok"}}, None) == {
        "by_source": {"aws": {"status": "ok"}},
        "sources": ["aws"],
    }


def test_first_found_answers_from_the_first_source_that_has_it():
    body = FIRST_FOUND.merge({"azure": {"run_id": "r1", "summary": "x"}, "gcp": {"run_id": "r1"}}, None)
    assert body == {"run_id": "r1", "summary": "x", "source": "azure", "also_in": ["gcp"]}


def test_consensus_collapses_identical_catalogs_and_shows_disagreement():
    profiles = {"items": [{"name": "strict"}, {"name": "balanced"}]}
    same = CONSENSUS.merge({"aws": profiles, "azure": profiles}, None)
    assert same["items"] == profiles["items"] and same["consistent"] is True
    differ = CONSENSUS.merge({"aws": profiles, "azure": {"items": []}}, None)
    assert differ["consistent"] is False and differ["by_source"]["azure"] == {"items": []}


def test_single_source_passthrough_tags_items():
    body = SINGLE.merge({"aws": {"items": [{"run_id": "r1"}], "total": 1}}, None)
    assert body == {"items": [{"run_id": "r1", "source": "aws"}], "total": 1, "source": "aws"}


def test_csv_exports_concatenate_with_a_source_column():
    body = EXPORT.merge({"aws": "team,score\nore,90\n", "azure": "team,score,extra\nrail,70,x\n"}, None)
    assert isinstance(body, CsvBody)
    assert body.text == "source,team,score,extra\naws,ore,90,\nazure,rail,70,x\n"


def test_json_exports_sit_side_by_side():
    assert EXPORT.merge({"aws": {"a": 1}}, None) == {"by_source": {"aws": {"a": 1}}, "sources": ["aws"]}


def test_a_degraded_source_keeps_the_totals_and_is_marked():
    aws = {"items": [{"incident_id": "a1"}, {"incident_id": "a2"}], "total": 2, "degraded": False}
    azure = {
        "items": [{"incident_id": "z1"}],
        "total": 1,
        "degraded": True,
        "degraded_reasons": ["lineage_unavailable"],
    }
    body = CONCAT.merge({"aws": aws, "azure": azure}, Page(0, 50))
    assert body["total"] == 3 and [i["source"] for i in body["items"]] == ["aws", "aws", "azure"]
    assert body["degraded"] is True and body["degraded_reasons"] == ["lineage_unavailable"]
    assert body["by_source"]["azure"]["degraded"] is True and body["by_source"]["aws"]["degraded"] is False


def test_a_degraded_summary_still_adds_up():
    aws = {"pipelines": 3, "failed_24h": 1, "degraded": False}
    azure = {"pipelines": 2, "failed_24h": 4, "degraded": True, "degraded_reasons": ["costs_unavailable"]}
    body = SUM.merge({"aws": aws, "azure": azure}, None)
    assert (body["pipelines"], body["failed_24h"], body["degraded"]) == (5, 5, True)
    assert body["by_source"]["azure"]["degraded_reasons"] == ["costs_unavailable"]


def test_summary_timestamps_compare_as_instants_and_bounds_keep_their_extreme():
    aws = {
        "generated_at": "2026-11-20T12:00:00+10:00",
        "created_at": "2026-11-01T00:00:00Z",
        "max_lag_minutes": 5,
    }
    azure = {
        "generated_at": "2026-11-20T03:00:00Z",
        "created_at": "2026-10-01T00:00:00Z",
        "max_lag_minutes": 9,
    }
    body = SUM.merge({"aws": aws, "azure": azure, "gcp": {"min_runs": 1}}, None)
    assert body["generated_at"] == "2026-11-20T03:00:00Z"  # 12:00+10:00 is 02:00Z, an hour earlier
    assert body["created_at"] == "2026-10-01T00:00:00Z"  # created_*: the earliest
    assert (body["max_lag_minutes"], body["min_runs"]) == (9, 1)


def test_an_entity_takes_its_last_state_from_the_freshest_source():
    body = entity("pipeline_id", identity_conflict).merge(
        {
            "aws": pipeline("p2", 5, "2026-11-20T11:00:00Z", cost_7d_aud=1.25),
            "azure": pipeline("p2", 2, "2026-11-20T12:00:00Z", last_status="FAILED", cost_7d_aud=2.0),
        }
    )
    assert (body["last_end_ts"], body["last_status"]) == ("2026-11-20T12:00:00Z", "FAILED")  # not the first's
    assert (body["runs_7d"], body["cost_7d_aud"], body["max_duration_minutes"]) == (7, 3.25, 30)
    assert body["by_source"]["aws"]["last_status"] == "SUCCESS"


def test_an_entity_is_flagged_when_any_source_flags_it():
    body = entity("pipeline_id", identity_conflict).merge(
        {
            "aws": pipeline("p2", 5, "2026-11-20T12:00:00Z", degraded=False, sla_breached=False),
            "azure": pipeline("p2", 2, "2026-11-20T11:00:00Z", degraded=True, sla_breached=True),
        }
    )
    assert (body["degraded"], body["sla_breached"]) == (True, True)  # not the first source's False
    assert body["by_source"]["aws"]["degraded"] is False
