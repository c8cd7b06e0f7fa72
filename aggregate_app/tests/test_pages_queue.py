"""The incident queue (pages/queue.py): grouping by pipeline, the failed run and the SLA breach it
caused as one, worst severity first, breach reasons with their numbers."""

from aggregate_app.pages import queue


def run(pid, ts, sev="sev3", source="aws", **extra):
    return {"incident_id": f"run:{pid}-{ts}", "kind": "run_failed", "pipeline_id": pid, "source": source,
            "severity": sev, "detected_ts": ts, "ended_ts": ts, "error_code": "OOM",
            "error_message": f"killed at {ts}", "run_id": f"{pid}-{ts}", **extra}  # fmt: skip


def breach(pid, ts, sev="sev3", last=None, reasons=("breach_ratio_exceeded",), source="aws"):
    numbers = {"window_days": 7, "runs_in_window": 50, "breached_runs": 7, "breach_ratio": 0.14,
               "max_breach_ratio": 0.05, "freshness_lag_minutes": 400.0, "freshness_sla_minutes": 120,
               "last_breached_run_ts": last}  # fmt: skip
    return {"incident_id": f"sla:{pid}", "kind": "sla_breach", "pipeline_id": pid, "source": source,
            "severity": sev, "detected_ts": ts, "reasons": list(reasons), "sla": numbers}  # fmt: skip


def test_one_row_per_pipeline_with_count_first_last_and_latest_error():
    incidents = [run("p7", f"2026-12-04T0{h}:00:00Z", "sev1") for h in range(7, 0, -1)]
    (group,) = queue.group(incidents)
    assert (group.pipeline_id, group.count, group.severity) == ("p7", 7, "sev1")
    assert (group.first_seen, group.last_seen) == ("2026-12-04T01:00:00Z", "2026-12-04T07:00:00Z")
    assert group.latest_error["error_message"] == "killed at 2026-12-04T07:00:00Z"


def test_the_same_pipeline_in_two_sources_is_two_rows():
    groups = queue.group(
        [run("p1", "2026-12-04T01:00:00Z"), run("p1", "2026-12-04T02:00:00Z", source="azure")]
    )
    assert [(g.source, g.count) for g in groups] == [("azure", 1), ("aws", 1)]


def test_worst_severity_first_then_most_recent():
    incidents = [
        run("quiet", "2026-12-04T09:00:00Z", "sev4"),
        run("old_bad", "2026-12-03T01:00:00Z", "sev1"),
        run("new_bad", "2026-12-04T08:00:00Z", "sev1"),
        run("mid", "2026-12-04T10:00:00Z", "sev2"),
    ]
    assert [g.pipeline_id for g in queue.group(incidents)] == ["new_bad", "old_bad", "mid", "quiet"]


def test_a_failed_run_and_the_breach_it_caused_are_one_occurrence():
    ts = "2026-12-04T05:00:00Z"
    (group,) = queue.group(
        [breach("p7", ts, "sev2", last=ts), run("p7", ts, "sev3"), run("p7", "2026-12-04T01:00:00Z")]
    )
    assert group.count == 2
    folded = group.latest
    assert folded.incident["kind"] == "run_failed" and folded.breach["incident_id"] == "sla:p7"
    assert (folded.kind_word, folded.severity, group.severity) == ("failed run + SLA breach", "sev2", "sev2")


def test_a_freshness_breach_no_run_caused_stays_its_own_occurrence():
    (group,) = queue.group(
        [
            breach("p7", "2026-12-04T05:00:00Z", reasons=["freshness_breached"]),
            run("p7", "2026-12-04T05:00:00Z"),
        ]
    )
    assert sorted(o.kind_word for o in group.occurrences) == ["SLA breach", "failed run"]


def test_an_unknown_kind_is_listed_under_its_own_word():
    odd = {"incident_id": "dq:orders:1", "kind": "dq_assertion_failed", "pipeline_id": "orders",
           "source": "aws", "severity": "sev2", "detected_ts": "2026-12-04T05:00:00Z"}  # fmt: skip
    (group,) = queue.group([odd])
    assert (group.latest.kind_word, group.severity, group.breach_texts) == ("dq assertion failed", "sev2", [])


def test_breach_reasons_say_their_numbers():
    texts = queue.breach_reasons(breach("p7", "t", reasons=["breach_ratio_exceeded", "freshness_breached"]))
    assert texts == [
        "14.0% of runs breached (7 of 50 in 7 days), 5% allowed",
        "no fresh success for 6.7 h, freshness SLA 2.0 h",
    ]


def test_a_breach_without_numbers_reads_its_reason():
    assert queue.breach_reasons({"reasons": ["breach_ratio_exceeded"]}) == ["breach ratio exceeded"]
