"""PIPELINE_RUN_STATE: the per-pipeline run facts that the pipeline list, summary, SLA and
incidents read. Ingest keeps it current; a warehouse whose runs predate it is brought up to date by
`warehouse_init`; a run stamped after "now" does not count before its time."""

import random
import uuid
from datetime import datetime, timedelta
from io import StringIO

import orjson
import pytest
from django.core.management import call_command

from pipelines_app import run_state, sla
from pipelines_app.ingest import ingest_batch, ingest_event
from pipelines_app.ingest.records import pipeline_id_for
from testsupport.ingest_events import run_event
from testsupport.telemetry_api import *  # noqa: F403

H = timedelta(hours=1)


def ingest(client, event_type, run_id, when):
    body = run_event(event_type, run_id=run_id, when=when, job="ledger.load")
    response = client.post("/api/v1/lineage", data=orjson.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["pipeline_id"]


def test_ingest_keeps_latest_status_and_running_count_current(client_for, operator, warehouse, at_now):
    client, run_id = client_for(operator, "Bearer"), str(uuid.uuid4())
    pipeline_id = ingest(client, "START", run_id, "2026-11-20T10:00:00Z")
    assert client.get(f"/api/pipelines/{pipeline_id}").json()["last_status"] == "RUNNING"
    assert client.get("/api/summary").json()["running"] == 1

    ingest(client, "FAIL", run_id, "2026-11-20T10:05:00Z")
    detail = client.get(f"/api/pipelines/{pipeline_id}").json()
    assert (detail["last_status"], detail["last_run_id"]) == ("FAILED", run_id)
    assert client.get("/api/summary").json()["running"] == 0
    assert client.get(f"/api/pipelines/{pipeline_id}/sla").json()["last_success_ts"] is None

    again = str(uuid.uuid4())
    ingest(client, "START", again, "2026-11-20T11:00:00Z")
    ingest(client, "COMPLETE", again, "2026-11-20T11:10:00Z")
    detail = client.get(f"/api/pipelines/{pipeline_id}").json()
    assert (detail["last_status"], detail["last_run_id"]) == ("SUCCESS", again)
    sla = client.get(f"/api/pipelines/{pipeline_id}/sla").json()
    assert sla["last_success_ts"].startswith("2026-11-20T11:10:00")


def test_warehouse_init_builds_the_state_of_runs_stored_without_it(api, telemetry, warehouse):
    telemetry.pipeline("p1")
    telemetry.run("p1", "SUCCESS", ago=3 * H)
    # Another writer appends a run straight to PIPELINE_RUNS and the state table is lost.
    warehouse.execute(
        "INSERT INTO PIPELINE_RUNS (run_id, pipeline_id, status, start_ts) VALUES (?, ?, ?, ?)",
        ["p1-late", "p1", "RUNNING", telemetry.now - H],
    )
    warehouse.execute("DELETE FROM PIPELINE_RUN_STATE")
    assert api.get("/api/pipelines/p1").json()["last_status"] is None

    call_command("warehouse_init", stdout=StringIO())
    detail = api.get("/api/pipelines/p1").json()
    assert (detail["last_status"], detail["last_run_id"]) == ("RUNNING", "p1-late")
    assert api.get("/api/summary").json()["running"] == 1


def test_refresh_run_state_picks_up_runs_another_writer_appended(api, telemetry, warehouse):
    telemetry.pipeline("p1")
    telemetry.run("p1", "SUCCESS", ago=3 * H)
    warehouse.execute(
        "INSERT INTO PIPELINE_RUNS (run_id, pipeline_id, status, start_ts, end_ts) VALUES (?, ?, ?, ?, ?)",
        ["p1-ext", "p1", "FAILED", telemetry.now - H, telemetry.now - H + timedelta(minutes=5)],
    )
    assert api.get("/api/pipelines/p1").json()["last_status"] == "SUCCESS"  # not refreshed yet

    call_command("refresh_run_state", "p1", stdout=StringIO())
    assert api.get("/api/pipelines/p1").json()["last_status"] == "FAILED"


def test_a_run_stamped_after_now_is_not_the_latest_yet(api, telemetry):
    telemetry.pipeline("p1")
    telemetry.run("p1", "SUCCESS", ago=2 * H, run_id="p1-done")
    telemetry.run("p1", "RUNNING", start=telemetry.now + H, run_id="p1-ahead")  # a writer's clock ahead
    detail = api.get("/api/pipelines/p1").json()
    assert (detail["last_status"], detail["last_run_id"]) == ("SUCCESS", "p1-done")
    assert api.get("/api/summary").json()["running"] == 0


def test_sla_window_counts_whole_days_and_follows_a_changed_max_duration(api, telemetry, warehouse):
    telemetry.pipeline("slow", max_duration_minutes=30)
    for days_ago, minutes in ((3, 45), (3, 10), (4, 10), (5, 50)):  # whole days inside the 7-day window
        telemetry.run("slow", "SUCCESS", ago=timedelta(days=days_ago), minutes=minutes)
    telemetry.run("slow", "FAILED", ago=timedelta(days=9))  # outside it
    sla = api.get("/api/pipelines/slow/sla").json()
    assert (sla["runs_in_window"], sla["breached_runs"], sla["breach_ratio"]) == (4, 2, 0.5)

    # Another writer raises the limit without refreshing the rollups: the answer follows the new limit.
    warehouse.execute("UPDATE PIPELINES SET max_duration_minutes = 48 WHERE pipeline_id = 'slow'")
    sla = api.get("/api/pipelines/slow/sla").json()
    assert (sla["breached_runs"], sla["thresholds"]["max_duration_minutes"]) == (1, 48)
    call_command("refresh_run_state", stdout=StringIO())
    assert api.get("/api/pipelines/slow/sla").json()["breached_runs"] == 1
    assert api.get("/api/pipelines/slow/sla?days=14").json()["breached_runs"] == 2  # the failure, 9 days ago


# -- ingest updates the rollups from the group's runs: always what a full rebuild gives ------------
T0 = datetime(2026, 11, 20, 22, 0)  # runs cross midnight: a run's day is that of its end
LIFECYCLES = (
    ("START", "COMPLETE"), ("START", "FAIL"), ("START", "RUNNING", "ABORT"), ("START",), ("START", "RUNNING"),
    ("COMPLETE",), ("START", "COMPLETE", "FAIL"), ("FAIL",), ("START", "RUNNING", "COMPLETE"),
)  # fmt: skip


def run_lifecycles(namespace: str) -> list[dict]:
    """Events of overlapping runs of three jobs over three days: successes (some over the limit),
    failures, aborts, runs still running, a terminal event without a START, a late FAIL."""
    rnd, events = random.Random(7), []
    for n in range(36):
        run_id, start = str(uuid.uuid4()), T0 + timedelta(minutes=rnd.randrange(0, 3 * 24 * 60, 7))
        for step, event_type in enumerate(LIFECYCLES[n % len(LIFECYCLES)]):
            when = start + timedelta(minutes=step * rnd.choice((5, 40, 95)))
            events.append(
                run_event(event_type, run_id=run_id, namespace=namespace, job=f"job_{n % 3}",
                          when=when.isoformat() + "Z")
            )  # fmt: skip
    return events


def rollups(wh, namespace: str) -> list:
    """Both rollup tables of `namespace`'s pipelines, rows keyed by job name."""
    names = {r["pipeline_id"]: r["pipeline_name"] for r in wh.fetch_all("SELECT * FROM PIPELINES")
             if r["namespace"] == namespace}  # fmt: skip
    tables = []
    for table, order in (
        ("PIPELINE_RUN_STATE", "pipeline_id"),
        ("PIPELINE_RUN_DAYS", "pipeline_id, run_day"),
    ):
        rows = wh.fetch_all(f"SELECT * FROM {table} ORDER BY {order}")
        tables.append(sorted(
            (names[r["pipeline_id"]], *(v for k, v in r.items() if k not in ("pipeline_id", "last_run_id")))
            for r in rows if r["pipeline_id"] in names
        ))  # fmt: skip
    return tables


def assert_as_rebuilt(wh, namespace: str) -> list:
    kept = rollups(wh, namespace)
    run_state.refresh(wh)
    assert kept == rollups(wh, namespace)
    return kept


def test_ingest_keeps_the_rollups_equal_to_a_full_rebuild_in_any_order(warehouse):
    events = run_lifecycles("forward")
    orders = {
        "forward": events,
        "reversed": events[::-1],
        "shuffled": random.Random(3).sample(events, len(events)),
        "replayed": events + random.Random(5).sample(events, 40),  # replays
    }
    final = {}
    for name, sequence in orders.items():
        sequence = [  # each order's runs in their own namespace, with their own run ids
            {**e, "job": {**e["job"], "namespace": name},
             "run": {**e["run"], "runId": str(uuid.uuid5(uuid.NAMESPACE_URL, name + e["run"]["runId"]))}}
            for e in sequence
        ]  # fmt: skip
        warehouse.execute(  # job_0 has a limit before its first run, so long runs count
            "INSERT INTO PIPELINES (pipeline_id, pipeline_name, namespace, max_duration_minutes) "
            "VALUES (?, ?, ?, ?)",
            [pipeline_id_for(name, "job_0"), "job_0", name, 40],
        )
        for i, event in enumerate(sequence):
            if i % 3 == 0:  # one event per request; the rest in groups of up to 7 events
                ingest_event(event)
            elif i % 3 == 1:
                ingest_batch(sequence[i : i + 1 + i % 7])
            if i % 5 == 0:
                assert_as_rebuilt(warehouse, name)
        final[name] = assert_as_rebuilt(warehouse, name)
    assert final["reversed"] == final["forward"]
    assert final["shuffled"] == final["forward"]
    assert final["replayed"] == final["forward"]
    state, days = final["forward"]
    assert {row[0] for row in state} == {"job_0", "job_1", "job_2"}
    assert sum(row[2] for row in days) == 28  # finished runs
    assert sum(row[3] for row in days) > 0 and sum(row[5] for row in days) > 0  # failed, long


def test_ingest_after_a_changed_limit_counts_long_runs_by_the_new_limit(warehouse):
    start = run_event(
        "START", run_id=str(uuid.uuid4()), namespace="ns", job="slow", when="2026-11-20T10:00:00Z"
    )
    ingest_event(start)
    ingest_event({**start, "eventType": "COMPLETE", "eventTime": "2026-11-20T11:00:00Z"})
    warehouse.execute("UPDATE PIPELINES SET max_duration_minutes = 30 WHERE pipeline_name = 'slow'")
    ingest_event({**start, "eventType": "START", "run": {"runId": str(uuid.uuid4())}})
    ingest_batch([{**start, "eventType": "COMPLETE", "run": {"runId": str(uuid.uuid4())},
                   "eventTime": f"2026-11-2{d}T11:00:00Z"} for d in (1, 2)])  # fmt: skip
    (_, days) = assert_as_rebuilt(warehouse, "ns")
    assert [(row[2], row[3]) for row in days] == [(1, 0), (1, 0), (1, 0)]  # runs, failed runs per day
    assert [row[5] for row in days] == [1, 0, 0]  # the hour-long run is over the new limit


def plain_window(runs: list[dict], pipeline_id: str, since, now, max_minutes: int) -> tuple:
    """(finished runs, breached runs, latest breach) of a pipeline in (since, now], from its runs alone."""
    done = [
        (r["end_ts"] or r["start_ts"], r)
        for r in runs
        if r["pipeline_id"] == pipeline_id and r["status"] in ("SUCCESS", "FAILED", "ABORTED")
    ]
    inside = [(ts, r) for ts, r in done if since < ts <= now]
    breached = [
        ts for ts, r in inside if r["status"] != "SUCCESS" or (r["duration_seconds"] or 0) > 60 * max_minutes
    ]
    return len(inside), len(breached), max(breached, default=None)


@pytest.mark.parametrize(
    "hours_from_now", [-9, -12, 0, 6, -60]
)  # morning, midnight, noon, evening, 2.5 days back
def test_sla_window_from_day_rows_equals_a_count_of_the_runs(telemetry, hours_from_now):
    """The SLA window takes today and the first day from the day rows (the first less its runs up to
    `since` when that side is smaller; today from the runs for a pipeline with a run past now): its
    counts equal those of the runs themselves, whatever the time of day, at the window's edges and
    with runs stamped after now."""
    t = telemetry
    now = t.now + hours_from_now * H
    since = now - timedelta(days=7)
    t.pipeline("a", max_duration_minutes=30)
    t.pipeline("b", max_duration_minutes=30)
    runs = []
    for i in range(44):  # a run every 5 h over nine days, before and after `now` and `since`
        status = ("SUCCESS", "FAILED", "SUCCESS", "ABORTED")[i % 4]
        runs.append(
            t.run("a", status, start=t.now - timedelta(days=9) + i * 5 * H, minutes=(10, 45)[i % 3 == 0])
        )
    for ts in (since, since + timedelta(microseconds=1), now, now + timedelta(microseconds=1)):
        runs.append(t.run("b", "FAILED", start=ts - timedelta(minutes=5), minutes=5))  # ends on an edge
    runs.append(t.run("b", "FAILED", start=since + H, end_ts=None, duration_seconds=None))  # no end
    runs.append(t.run("b", "SUCCESS", start=now - 2 * H, minutes=50))
    rows = {r["pipeline_id"]: r for r in sla.status_rows(days=7, now=now)}
    for pid in ("a", "b"):
        got = rows[pid]
        assert (got["runs_in_window"], got["breached_runs"], got["last_breached_run_ts"]) == plain_window(
            runs, pid, since, now, 30
        )
