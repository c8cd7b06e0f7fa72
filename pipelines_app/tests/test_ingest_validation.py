"""Event validation (spec 2-0-2): every rejection names the field a producer must fix."""

import copy

import pytest

from pipelines_app.ingest import EventError
from pipelines_app.ingest.validate import parse_event
from testsupport.ingest_events import dataset, error_facet, run_event


def without(body: dict, path: str) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    del node[last]
    return body


def with_value(body: dict, path: str, value) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value
    return body


def rejected_field(body) -> str:
    with pytest.raises(EventError) as caught:
        parse_event(body)
    return caught.value.field


@pytest.mark.parametrize(
    "path", ["eventTime", "producer", "schemaURL", "run", "run.runId", "job", "job.namespace", "job.name"]
)
def test_a_missing_required_field_is_named(path):
    assert rejected_field(without(run_event("START"), path)) == path


@pytest.mark.parametrize(
    "path, value",
    [
        ("eventTime", "yesterday"),
        ("eventTime", "2026-11-20"),
        ("eventTime", 1732100000),
        ("run.runId", "not-a-uuid"),
        ("run.runId", "3f5e0c1a2b3c4d5e6f708192a3b4c5d6"),
        ("eventType", "FINISHED"),
        ("eventType", "start"),
        ("job.name", ""),
        ("job.namespace", 42),
        ("run", "abc"),
        ("run.facets", []),
        ("job.facets", "x"),
        ("inputs", {"namespace": "a", "name": "b"}),
        ("producer", ["x"]),
    ],
)
def test_a_wrong_value_is_named(path, value):
    assert rejected_field(with_value(run_event("START"), path, value)) == path


def test_dataset_fields_are_named_with_their_index():
    body = run_event("START", inputs=[dataset("A"), {"namespace": "snow"}], outputs=["x"])
    assert rejected_field(body) == "inputs[1].name"
    assert rejected_field(run_event("START", outputs=["x"])) == "outputs[0]"


def test_facets_that_set_run_fields_are_checked():
    bad_error = error_facet("x")
    bad_error["errorMessage"]["message"] = 12
    assert rejected_field(run_event("FAIL", run_facets=bad_error)) == "run.facets.errorMessage.message"
    bad_nominal = {"nominalTime": {"nominalStartTime": "soon"}}
    assert (
        rejected_field(run_event("START", run_facets=bad_nominal))
        == "run.facets.nominalTime.nominalStartTime"
    )
    bad_ct = {"controlTower": {"criticality": "urgent"}}
    assert rejected_field(run_event("START", job_facets=bad_ct)) == "job.facets.controlTower.criticality"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,x", "/runbooks/x"]
)
def test_a_runbook_url_that_is_not_http_is_refused_naming_the_field(url):
    facets = {"controlTower": {"runbookUrl": url}}
    assert rejected_field(run_event("START", job_facets=facets)) == "job.facets.controlTower.runbookUrl"
    fine = {"controlTower": {"runbookUrl": "https://runbooks.example/x"}}
    assert (
        parse_event(run_event("START", job_facets=fine)).pipeline.runbook_url == "https://runbooks.example/x"
    )


def test_descriptive_facets_that_are_malformed_are_ignored():
    facets = {"ownership": {"owners": "nobody"}, "tags": [1, 2], "jobType": "SPARK"}
    event = parse_event(run_event("START", job_facets=facets))
    assert (event.pipeline.team, event.pipeline.owner, event.pipeline.platform) == (None, None, "airflow")


def test_a_non_object_body_is_rejected_as_the_event():
    assert rejected_field([run_event("START")]) == "event"
    assert rejected_field("START") == "event"


def test_times_are_normalised_to_naive_utc_and_run_ids_to_lower_case():
    body = run_event(
        "START", run_id="0190F6A4-3C2E-7D1A-9B5E-4F8A2C6D1E3B", when="2026-11-20T21:30:00.5+10:00"
    )
    event = parse_event(body)
    assert event.run.run_id == "0190f6a4-3c2e-7d1a-9b5e-4f8a2c6d1e3b"
    assert event.run.event_ts.isoformat() == "2026-11-20T11:30:00.500000"


def test_a_run_event_without_event_type_is_other():
    event = parse_event(run_event(None))
    assert (event.kind, event.run.status, event.run.terminal) == ("run", "RUNNING", 0)


def test_a_job_without_facets_takes_its_platform_from_each_events_producer():
    airflow = parse_event(run_event("START"))
    body = run_event("START")
    body["producer"] = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/dbt"
    dbt = parse_event(body)
    assert airflow.pipeline.pipeline_id == dbt.pipeline.pipeline_id
    assert (airflow.pipeline.platform, dbt.pipeline.platform) == ("airflow", "dbt")
    assert parse_event(
        run_event("START", job_facets={"jobType": {"integration": "SPARK"}})
    ).pipeline.platform == ("spark")


def test_event_times_keep_microseconds_of_any_precision_and_offset():
    for sent, stored in [
        ("2026-11-20T10:00:00Z", "2026-11-20T10:00:00"),
        ("2026-11-20T10:00:00.123456789Z", "2026-11-20T10:00:00.123456"),
        ("2026-11-20t10:00:00.5-02:00", "2026-11-20T12:00:00.500000"),
        (" 2026-11-20T10:00:00+00:00 ", "2026-11-20T10:00:00"),
    ]:
        event = parse_event(run_event("START", when=sent))
        assert (event.run.event_ts.isoformat(), event.raw.event_ts.isoformat()) == (stored, stored)
