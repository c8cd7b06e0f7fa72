"""The pictures (pages/pictures/): inline SVG drawn from the data, escaped, each with its text
alternative (<title>, <desc>, aria-label) saying the numbers drawn."""

import xml.etree.ElementTree as ET
from collections import Counter

from aggregate_app.pages.pictures import lineage, per_day, run_history, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parsed(picture) -> ET.Element:
    return ET.fromstring(str(picture.svg))  # well-formed XML, or this raises


def node(id_, kind, depth, crit=None, name=None):
    return {"id": id_, "kind": kind, "name": name or id_, "criticality": crit, "depth": depth}


IMPACT = {
    "pipeline_id": "p1",
    "nodes": [node("p1", "pipeline", 0, "critical", "orders_ingest"), node("raw", "table", 1, "high"),
              node("p2", "pipeline", 2, "medium"), node("board", "dashboard", 2, "critical", "Exec <board>")],
    "edges": [{"src": "p1", "src_kind": "pipeline", "dst": "raw", "dst_kind": "dataset"},
              {"src": "raw", "src_kind": "dataset", "dst": "p2", "dst_kind": "pipeline"},
              {"src": "raw", "src_kind": "dataset", "dst": "board", "dst_kind": "dataset"}],
    "truncated": False, "truncated_reason": None,
}  # fmt: skip


def test_lineage_draws_every_node_labelled_with_its_edges_and_says_them():
    picture = lineage.draw(IMPACT, failing={"p1"})
    svg = parsed(picture)
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"orders_ingest", "raw", "p2", "Exec <board>"} <= set(labels)  # escaped, then read back
    assert len(list(svg.iter(f"{SVG}line"))) == 3
    assert "table · high" in labels and "pipeline · critical · FAILING" in labels
    assert svg.find(f"{SVG}title").text == "Lineage of p1"
    desc = svg.find(f"{SVG}desc").text
    assert (
        desc == picture.text
        and "4 nodes over 2 levels, 3 edges; 1 consumer assets: Exec <board> (critical)" in desc
    )
    assert "Failing: p1." in desc and svg.get("role") == "img" and desc in svg.get("aria-label")
    assert "&lt;board&gt;" in str(picture.svg) and "<board>" not in str(picture.svg)


def test_lineage_says_what_it_left_out():
    many = {**IMPACT, "truncated": True, "truncated_reason": "node_cap",
            "nodes": IMPACT["nodes"] + [node(f"d{i}", "table", 1, "low") for i in range(10)]}  # fmt: skip
    picture = lineage.draw(many, per_column=4)
    labels = [t.text for t in parsed(picture).iter(f"{SVG}text")]
    assert "+7 more not drawn" in labels and "walk truncated: more lineage exists" in labels
    assert "7 nodes not drawn" in picture.text and "stopped at its node cap" in picture.text
    assert "raw" in labels  # the most critical of the column kept


def runs():
    statuses = ["SUCCESS"] * 5 + ["FAILED", "SUCCESS", "ABORTED"]
    start = "2026-12-01T00:00:00Z"
    return [{"run_id": f"r{i}", "status": s, "duration_seconds": 600 + 60 * i, "start_ts": start}
            for i, s in enumerate(statuses)][::-1]  # fmt: skip


def test_run_history_bars_are_coloured_by_status_with_the_sla_line():
    picture = run_history.draw(runs(), pipeline="p1", max_duration_minutes=15)
    svg = parsed(picture)
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text.split(":")[0] for b in bars] == [
        f"r{i}" for i in range(8)
    ]  # oldest first
    assert [b.get("fill") for b in bars][5] == "#a4161a"  # the failed run is red
    assert "SLA max 15 min" in [t.text for t in svg.iter(f"{SVG}text")]
    assert picture.text.startswith("Last 8 runs of p1, oldest first: 1 aborted, 1 failed, 6 success.")
    assert "SLA max duration 15 min: 2 runs over it." in picture.text


def test_run_history_keeps_the_last_n():
    picture = run_history.draw(runs(), pipeline="p1", max_duration_minutes=None, last=3)
    assert picture.text.startswith("Last 3 runs") and "No SLA max duration set." in picture.text


def test_incidents_per_day_by_severity():
    def day(d, sev1=0, sev3=0):
        return {"date": d, "sev1": sev1, "sev2": 0, "sev3": sev3, "sev4": 0, "incidents": sev1 + sev3}

    days = [day("2026-12-01", sev3=4), day("2026-12-02"), day("2026-12-03", 1, 1), day("2026-12-04", 1)]
    answer = {"days": days, "earlier": {"sev2": 1, "incidents": 1}}
    days, earlier = per_day.count(answer, 3)
    assert days == [
        ("2026-12-02", Counter()),
        ("2026-12-03", Counter(sev1=1, sev3=1)),
        ("2026-12-04", Counter(sev1=1)),
    ]
    assert earlier == 5  # the first, partial day of the window, and an ongoing breach before it
    picture = per_day.draw(days, earlier=earlier)
    assert len([r for r in parsed(picture).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]) == 3
    assert "2026-12-02: 0; 2026-12-03: 2 (1 sev1, 1 sev3); 2026-12-04: 1 (1 sev1)." in picture.text
    assert "5 incidents detected before the first day are not in a bar." in picture.text


def test_sparkline_says_its_latest_and_range():
    picture = sparkline.draw([("2026-12-01", 0.1), ("2026-12-02", None), ("2026-12-03", 0.25)],
                             title="Breach ratio", percent=True)  # fmt: skip
    assert len(parsed(picture).find(f"{SVG}polyline").get("points").split()) == 2
    assert picture.text == ("Breach ratio, 2026-12-01 to 2026-12-03: latest 25.0%, first 10.0%, low 10.0%, "
                            "high 25.0% over 2 days with a value.")  # fmt: skip
    assert "no values" in sparkline.draw([("d", None)], title="x").text


def test_lineage_draws_what_feeds_the_pipeline_on_its_left():
    nodes = [node("p1", "pipeline", 0, "critical", "orders_ingest"), node("src.erp", "table", 1, "low")]
    edges = [{"src": "src.erp", "src_kind": "dataset", "dst": "p1", "dst_kind": "pipeline"}]
    upstream = {"pipeline_id": "p1", "truncated": False, "nodes": nodes, "edges": edges}
    picture = lineage.draw(IMPACT, upstream=upstream)
    svg = parsed(picture)
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert labels[:2] == ["1 upstream", "src.erp"] and labels.count("orders_ingest") == 1
    assert len(list(svg.iter(f"{SVG}line"))) == 4
    assert (
        "3 edges; 1 consumer assets: Exec <board> (critical). Upstream: 1 nodes over 1 levels."
        in picture.text
    )
