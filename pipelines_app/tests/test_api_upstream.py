"""GET /api/pipelines/{id}/upstream: what feeds a pipeline, level by level, with the impact walk's
limits."""

from testsupport.telemetry_api import *  # noqa: F403


def feeds(t):
    """src.erp -> p_ingest -> raw -> p_clean -> clean -> p_report (and clean -> board)."""
    for pid in ("p_ingest", "p_clean", "p_report"):
        t.pipeline(pid)
    t.dataset("src.erp")
    t.dataset("raw", criticality="high")
    t.dataset("clean")
    t.dataset("board", kind="dashboard")
    t.edge("src.erp", "dataset", "p_ingest", "pipeline")
    t.edge("p_ingest", "pipeline", "raw", "dataset")
    t.edge("raw", "dataset", "p_clean", "pipeline")
    t.edge("p_clean", "pipeline", "clean", "dataset")
    t.edge("clean", "dataset", "p_report", "pipeline")
    t.edge("clean", "dataset", "board", "dataset")


def test_upstream_lists_what_feeds_the_pipeline_by_distance(api, telemetry):
    feeds(telemetry)
    body = api.get("/api/pipelines/p_report/upstream").json()
    assert [(n["id"], n["depth"]) for n in body["nodes"]] == [
        ("p_report", 0), ("clean", 1), ("p_clean", 2), ("raw", 3), ("p_ingest", 4), ("src.erp", 5),
    ]  # fmt: skip
    assert {"src": "raw", "src_kind": "dataset", "dst": "p_clean", "dst_kind": "pipeline"} in body["edges"]
    assert "board" not in {n["id"] for n in body["nodes"]}  # downstream of clean, not upstream of p_report
    assert (body["nodes_count"], body["edges_count"], body["truncated"]) == (6, 5, False)


def test_a_shallow_upstream_walk_says_it_stopped(api, telemetry):
    feeds(telemetry)
    body = api.get("/api/pipelines/p_report/upstream?depth=2").json()
    assert (body["nodes_count"], body["truncated"], body["truncated_reason"]) == (3, True, "depth")


def test_an_unknown_pipeline_is_a_404(api, telemetry):
    feeds(telemetry)
    response = api.get("/api/pipelines/nope/upstream")
    assert response.status_code == 404 and response.json()["error"]["code"]
