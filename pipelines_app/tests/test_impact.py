"""impact.walk and impact.consumers_reached: the one walk behind the impact view, incident counts
and severity, explain-run and the summary's top impacted assets."""

import pytest

from pipelines_app import data_version, impact

PIPELINES = ("a", "b", "c", "d", "p_mid")


def diamond(t):
    """a -> t1 -> dash; b -> t1; b -> t2 -> rep; c -> t3 -> p_mid -> t4 -> ml; d has no lineage."""
    for p in PIPELINES:
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


def reached_ids(pipeline_ids) -> dict[str, tuple[list[str], str | None]]:
    found = impact.consumers_reached(pipeline_ids)
    return {p: ([r["dataset_id"] for r in r.consumers], r.truncated_reason) for p, r in found.items()}


def listed_by_impact(pipeline_id: str) -> tuple[list[str], str | None]:
    body = impact.pipeline_impact(pipeline_id)
    return sorted(c["id"] for c in body["impacted_consumers"]), body["truncated_reason"]


WHOLE = {"a": ["dash"], "b": ["dash", "rep"], "c": ["ml"], "d": [], "p_mid": ["ml"]}
CASES = {  # limits -> (consumers reached, truncated reasons)
    "whole-walk": ({}, WHOLE, {}),
    "stopped-at-depth": ({"DEFAULT_DEPTH": 3}, {**WHOLE, "c": []}, {"c": "depth"}),  # ml is 4 edges from c
    "stopped-at-node-cap": (
        {"MAX_NODES": 2},  # the pipeline and its first dataset
        dict.fromkeys(WHOLE, []),
        dict.fromkeys(("a", "b", "c", "p_mid"), "node_cap"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_pipeline_reaches_what_its_impact_view_lists(telemetry, monkeypatch, case):
    """Whatever stops the walk, the remembered consumers of a pipeline are its impact view's."""
    limits, consumers, reasons = CASES[case]
    diamond(telemetry)
    for name, value in limits.items():
        monkeypatch.setattr(impact, name, value)
    found = reached_ids(["c", "b", "a", "d", "a", "p_mid"])
    assert list(found) == ["c", "b", "a", "d", "p_mid"]  # in the order asked, each once
    assert found == {p: listed_by_impact(p) for p in found}
    assert {p: ids for p, (ids, _) in found.items()} == consumers
    assert {p: reason for p, (_, reason) in found.items() if reason} == reasons


def test_reached_consumers_follow_lineage_and_consumer_changes(telemetry, warehouse):
    """Remembered between calls only while edges and consumer assets are unchanged."""
    diamond(telemetry)
    assert reached_ids(["a", "d"]) == {"a": (["dash"], None), "d": ([], None)}
    telemetry.edge("d", "pipeline", "t2", "dataset")  # d now reaches rep
    assert reached_ids(["a", "d"]) == {"a": (["dash"], None), "d": (["rep"], None)}
    warehouse.execute("UPDATE DATASETS SET kind = 'dashboard' WHERE dataset_id = 't2'")  # a consumer too
    assert reached_ids(["d", "b"]) == {"d": (["rep", "t2"], None), "b": (["dash", "rep", "t2"], None)}
    warehouse.execute("UPDATE DATASETS SET name = 'Revenue dashboard' WHERE dataset_id = 'dash'")
    (dash,) = impact.consumers_reached(["a"])["a"].consumers
    assert dash["name"] == "Revenue dashboard"


def test_the_graph_is_reused_until_lineage_changes(telemetry, warehouse, monkeypatch):
    diamond(telemetry)
    monkeypatch.setattr(impact, "_current", None)
    assert impact.walk("d").edges == []
    first = impact._graph()
    impact.consumers_reached(["a"])
    assert impact._graph() is first  # unchanged data version: the same graph
    data_version.bump(warehouse)  # telemetry changed (say, a run), lineage did not
    assert impact._graph() is first
    telemetry.edge("d", "pipeline", "t2", "dataset")  # d now reaches rep
    assert reached_ids(["d"]) == {"d": (["rep"], None)}
    assert impact._graph() is not first
