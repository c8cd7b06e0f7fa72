"""impact.reach: the multi-origin walk behind summary's top impacted assets and incident severity."""

import pytest

from pipelines_app import impact


def diamond(t):
    """a -> t1 -> dash; b -> t1; b -> t2 -> rep; c -> t3 -> p_mid -> t4 -> ml; d has no lineage."""
    for p in ("a", "b", "c", "d", "p_mid"):
        t.pipeline(p)
    for d in ("t1", "t2", "t3", "t4"):
        t.dataset(d)
    t.dataset("dash", kind="dashboard")
    t.dataset("rep", kind="report")
    t.dataset("ml", kind="ml_model")
    edges = [
        ("a", "pipeline", "t1", "dataset"),
        ("b", "pipeline", "t1", "dataset"),
        ("b", "pipeline", "t2", "dataset"),
        ("t1", "dataset", "dash", "dataset"),
        ("t2", "dataset", "rep", "dataset"),
        ("c", "pipeline", "t3", "dataset"),
        ("t3", "dataset", "p_mid", "pipeline"),
        ("p_mid", "pipeline", "t4", "dataset"),
        ("t4", "dataset", "ml", "dataset"),
    ]
    for edge in edges:
        t.edge(*edge)


@pytest.mark.parametrize("scan_past", [None, 0], ids=["consumers-by-ids", "every-consumer"])
def test_reach_counts_origins_per_consumer_and_consumers_per_origin(telemetry, monkeypatch, scan_past):
    """The same answer whether the consumer lookup reads the reached datasets or every consumer."""
    diamond(telemetry)
    if scan_past is not None:
        monkeypatch.setattr(impact, "CONSUMER_SCAN_DATASETS", scan_past)
    reached = impact.reach(["c", "b", "a", "d", "a"])
    assert reached.origins == ["a", "b", "c", "d"]
    assert sorted(reached.consumers) == ["dash", "ml", "rep"]
    assert {c: reached.impacted_by(c) for c in reached.consumers} == {"dash": 2, "rep": 1, "ml": 1}
    assert reached.origins_of("dash") == ["a", "b"]
    assert reached.origins_of("dash", limit=1) == ["a"]
    assert impact.consumer_counts(["c", "b", "a", "d"]) == {"a": 1, "b": 2, "c": 1, "d": 0}


def test_reach_depth_limits_the_walk(telemetry):
    diamond(telemetry)
    assert sorted(impact.reach(["c"], depth=3).consumers) == []  # c -> t3 -> p_mid -> t4: ml is hop 4
    assert sorted(impact.reach(["c"], depth=4).consumers) == ["ml"]


def test_consumer_counts_follow_lineage_and_consumer_changes(telemetry, warehouse):
    """Counts are remembered between calls only while edges and consumer assets are unchanged."""
    diamond(telemetry)
    assert impact.consumer_counts(["a", "d"]) == {"a": 1, "d": 0}
    telemetry.edge("d", "pipeline", "t2", "dataset")  # d now reaches rep
    assert impact.consumer_counts(["a", "d"]) == {"a": 1, "d": 1}
    warehouse.execute("UPDATE DATASETS SET kind = 'dashboard' WHERE dataset_id = 't2'")  # a consumer too
    assert impact.consumer_counts(["a", "d", "b"]) == {"a": 1, "d": 2, "b": 3}


def test_every_edge_map_is_reused_until_lineage_changes(telemetry, monkeypatch):
    diamond(telemetry)
    monkeypatch.setattr(impact, "_adjacency", None)
    assert impact.reach(["d"]).consumers == {}
    first = impact._adjacency
    impact.reach(["a"])
    assert impact._adjacency is first  # unchanged table: the same map
    telemetry.edge("d", "pipeline", "t2", "dataset")  # d now reaches rep
    assert sorted(impact.reach(["d"]).consumers) == ["rep"]
    assert impact._adjacency is not first


def test_every_consumer_read_follows_a_changed_consumer(telemetry, warehouse, monkeypatch):
    """The rows of every consumer asset are reused between walks only while they are unchanged."""
    diamond(telemetry)
    monkeypatch.setattr(impact, "CONSUMER_SCAN_DATASETS", 0)
    assert impact.reach(["a"]).consumers["dash"]["name"] == "dash"
    warehouse.execute("UPDATE DATASETS SET name = 'Revenue dashboard' WHERE dataset_id = 'dash'")
    warehouse.execute("UPDATE DATASETS SET kind = 'table' WHERE dataset_id = 'rep'")
    reached = impact.reach(["a", "b"])
    assert reached.consumers["dash"]["name"] == "Revenue dashboard"
    assert sorted(reached.consumers) == ["dash"]
