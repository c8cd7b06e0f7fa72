"""Datasets as first-class: /api/datasets (list, detail, columns) and /lineage?direction=, from events
written as Airflow, dbt, Spark and Flink write them (testsupport/ol_producers.py), on both backends."""

import random
from datetime import UTC, datetime

import pytest
import time_machine

from pipelines_app.ingest import ingest_batch, ingest_event
from pipelines_app.ingest.store import recent
from testsupport import ol_producers as ol
from testsupport.telemetry_api import *  # noqa: F403

# Airflow sets last_updated_ts on COMPLETE; these are the estate's datasets by id.
ALL = {
    ol.RAW_LEDGER, ol.LEDGER, ol.LEDGER_US, ol.LEDGER_OLD, ol.SUMMARY, ol.FX_TABLE, ol.ENRICHED, ol.RATES,
}  # fmt: skip
TABLES = {
    "DATASETS": "dataset_id",
    "DATASET_FACETS": "dataset_id, facet",
    "DATASET_SYMLINKS": "alias_id",
    "LINEAGE_EDGES": "src_id, dst_id",
    "PIPELINES": "pipeline_id",
    "PIPELINE_RUNS": "run_id",
}


# The producers' day is 2026-11-20 (the API's clock stops at its noon): they deliver that evening, so
# no event is ahead of the receiving clock (which would be clamped to it).
DELIVERED = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def deliver_event(event: dict):
    with time_machine.travel(DELIVERED, tick=False):
        return ingest_event(event)


def deliver_batch(events: list[dict]):
    with time_machine.travel(DELIVERED, tick=False):
        return ingest_batch(events)


@pytest.fixture
def estate(warehouse):
    result = deliver_batch(ol.as_dicts(ol.events()))
    assert (result.accepted, result.rejected) == (11, [])
    return warehouse


def state(wh) -> dict:
    """What the events left in the tables they feed (created_ts: the time of writing, not of the event)."""
    found = {}
    for table, order in TABLES.items():
        rows = wh.fetch_all(f"SELECT * FROM {table} ORDER BY {order}")
        found[table] = [{k: v for k, v in r.items() if k != "created_ts"} for r in rows]
    return found


def wipe(wh) -> None:
    for table in (*TABLES, "PIPELINE_RUN_STATE", "PIPELINE_RUN_DAYS", "LINEAGE_EVENTS"):
        wh.execute(f"DELETE FROM {table}")
    recent.forget(wh)


def test_order_and_replays_do_not_change_the_end_state(warehouse, api):
    events = ol.as_dicts(ol.events())
    shuffled = random.Random(19).sample(events, len(events))
    deliveries = {
        "one by one, in order": [[e] for e in events],
        "one by one, newest first": [[e] for e in reversed(events)],
        "one batch, shuffled": [shuffled],
        "in order, then everything replayed twice in shuffled batches": [
            *([e] for e in events), shuffled[:5], shuffled[5:], shuffled[::-1],
        ],
    }  # fmt: skip
    states = {}
    for name, groups in deliveries.items():
        wipe(warehouse)
        for group in groups:
            if len(group) == 1:
                deliver_event(group[0])
            else:
                assert deliver_batch(group).accepted == len(group)
        states[name] = state(warehouse)
        ledger = api.get(f"/api/datasets/{ol.LEDGER}").json()
        assert [f["name"] for f in ledger["fields"]] == ["id", "amount_aud", "currency"], (
            name
        )  # newest schema
    first = next(iter(states.values()))
    assert {len(first[t]) for t in ("DATASETS", "DATASET_FACETS", "DATASET_SYMLINKS")} != {0}
    for name, found in states.items():
        assert found == first, name


def test_datasets_are_listed_by_namespace_and_name(api, estate):
    body = api.get("/api/datasets?limit=100").json()
    assert {d["dataset_id"] for d in body["items"]} == ALL and body["total"] == len(ALL)
    ledgers = [d for d in body["items"] if d["name"] == "MART.LEDGER"]
    assert [(d["namespace"], d["dataset_id"]) for d in ledgers] == [
        (ol.SNOW, ol.LEDGER),
        (ol.SNOW_US, ol.LEDGER_US),
    ]  # the same table name in two namespaces: two datasets
    assert ledgers[0]["platform"] == "snowflake" and ledgers[0]["last_updated_ts"] == "2026-11-20T11:10:00Z"
    names = [d["name"] for d in body["items"]]
    assert names == sorted(names)
    page = api.get("/api/datasets?offset=2&limit=2").json()
    assert [d["dataset_id"] for d in page["items"]] == [d["dataset_id"] for d in body["items"][2:4]]
    assert page["total"] == len(ALL)


@pytest.mark.parametrize(
    "query, expected",
    [
        (f"namespace={ol.SNOW_US}", {ol.LEDGER_US}),
        ("name=ledger_s", {ol.SUMMARY}),
        ("platform=hive", {ol.FX_TABLE, ol.ENRICHED}),
        ("platform=KAFKA", {ol.RATES}),
        (f"platform=snowflake&namespace={ol.SNOW}&name=mart.ledger", {ol.LEDGER, ol.SUMMARY, ol.LEDGER_OLD}),
        ("deleted=true", {ol.LEDGER_OLD}),
        ("deleted=false", ALL - {ol.LEDGER_OLD}),
    ],
)
def test_the_list_filters(api, estate, query, expected):
    assert {d["dataset_id"] for d in api.get(f"/api/datasets?{query}").json()["items"]} == expected


def test_bad_list_parameters_are_400(api, estate):
    for query in ("kind=cube", "deleted=maybe", "limit=0", "offset=-1"):
        response = api.get(f"/api/datasets?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["code"] == "invalid_parameter"


def test_a_dataset_shows_schema_producers_consumers_and_facets(api, estate):
    body = api.get(f"/api/datasets/{ol.LEDGER}").json()
    assert (body["namespace"], body["name"], body["deleted"]) == (ol.SNOW, "MART.LEDGER", False)
    assert body["fields"] == [
        {"name": "id", "type": "NUMBER", "description": "ledger line"},
        {"name": "amount_aud", "type": "NUMBER(12,2)", "description": "in dollars"},
        {"name": "currency", "type": "VARCHAR", "description": None},
    ]
    assert body["description"] == "Posted ledger lines, AUD."
    assert [p["id"] for p in body["producers"]] == [ol.LOAD]
    assert body["producers"][0]["namespace"] == "airflow-prod"
    assert {c["id"] for c in body["consumers"]} == {ol.DBT_SUMMARY, ol.SPARK_ENRICH}
    assert set(body["facets"]) == {"schema", "columnLineage", "documentation"}
    assert body["facets"]["schema"]["event_time"] == "2026-11-20T11:10:00Z"
    assert body["facets"]["documentation"]["value"]["description"] == "Posted ledger lines, AUD."


def test_consumer_assets_are_consumers(api, telemetry):
    telemetry.dataset("orders", namespace="snowflake://acme")
    telemetry.dataset("orders_dash", "dashboard", namespace="tableau://acme", team="sales", owner="kim")
    telemetry.edge("orders", "dataset", "orders_dash", "dataset")
    body = api.get("/api/datasets/orders").json()  # the demo's ids keep working
    assert body["consumers"] == [
        {"id": "orders_dash", "name": "orders_dash", "namespace": "tableau://acme", "kind": "dashboard",
         "team": "sales", "owner": "kim"},
    ]  # fmt: skip
    assert body["fields"] == [] and body["facets"] == {}


def test_a_drop_marks_the_dataset_deleted_until_it_is_written_again(api, estate):
    body = api.get(f"/api/datasets/{ol.LEDGER_OLD}").json()
    assert (body["deleted"], body["deleted_ts"]) == (True, "2026-11-20T13:00:00Z")
    assert body["facets"]["lifecycleStateChange"]["value"]["lifecycleStateChange"] == "DROP"
    recreated = ol.run_event(
        ol.AIRFLOW, ol.RunState.COMPLETE, "legacy", "airflow-prod", "finance_daily.load_ledger_legacy",
        ol.at("14:00"), "AIRFLOW", [], [(ol.SNOW, "MART.LEDGER_OLD", {})],
    )  # fmt: skip
    deliver_event(ol.as_dicts([recreated])[0])
    body = api.get(f"/api/datasets/{ol.LEDGER_OLD}").json()
    assert (body["deleted"], body["deleted_ts"]) == (False, None)
    # an OVERWRITE is no deletion
    assert api.get(f"/api/datasets/{ol.ENRICHED}").json()["deleted"] is False


def test_a_path_resolves_to_the_table_its_symlinks_name(api, estate):
    body = api.get(f"/api/datasets/{ol.FX_PATH_ID}").json()
    assert (body["dataset_id"], body["namespace"], body["name"]) == (ol.FX_TABLE, ol.HIVE, "lake.ledger_fx")
    assert body["resolved_from"] == ol.FX_PATH_ID
    assert body["symlinks"] == [{"dataset_id": ol.FX_PATH_ID, "namespace": ol.LAKE, "name": ol.FX_PATH}]
    # Flink writes the path, Spark reads the path: both meet at the table
    assert [p["id"] for p in body["producers"]] == [ol.FLINK_RATES]
    assert [c["id"] for c in body["consumers"]] == [ol.SPARK_ENRICH]
    assert [f["name"] for f in body["fields"]] == ["currency", "rate"]


def test_unknown_dataset_is_404(api, estate):
    for path in ("/api/datasets/ds_nope", "/api/datasets/ds_nope/columns"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_columns_carry_their_upstream_columns_and_transformations(api, estate):
    body = api.get(f"/api/datasets/{ol.LEDGER}/columns").json()
    assert (body["dataset_id"], body["total"]) == (ol.LEDGER, 3)
    assert body["lineage_event_time"] == "2026-11-20T11:10:00Z"
    by_name = {c["name"]: c for c in body["items"]}
    assert by_name["id"]["upstream"] == []
    assert [
        (u["dataset_id"], u["field"], u["transformation_type"], u["transformation_subtype"])
        for u in by_name["amount_aud"]["upstream"]
    ] == [
        (ol.RAW_LEDGER, "amount", "DIRECT", "TRANSFORMATION"),
        (ol.RAW_LEDGER, "status", "INDIRECT", "FILTER"),
    ]
    assert by_name["amount_aud"]["type"] == "NUMBER(12,2)"


def test_columns_in_the_spec_1_0_form_and_through_a_symlinked_input(api, estate):
    summary = api.get(f"/api/datasets/{ol.SUMMARY}/columns").json()["items"]
    (total,) = [c for c in summary if c["name"] == "total_aud"]
    assert total["upstream"] == [
        {"dataset_id": ol.LEDGER, "namespace": ol.SNOW, "name": "MART.LEDGER", "field": "amount_aud",
         "transformation_type": "AGGREGATION", "transformation_subtype": None,
         "description": "sum(amount_aud)", "masking": None},
    ]  # fmt: skip
    enriched = api.get(f"/api/datasets/{ol.ENRICHED}/columns").json()
    (fx,) = enriched["items"]  # no schema facet: the column is known from the lineage alone
    assert (fx["name"], fx["in_schema"], fx["type"]) == ("amount_fx", False, None)
    assert [(u["dataset_id"], u["field"]) for u in fx["upstream"]] == [
        (ol.LEDGER, "amount_aud"),
        (ol.FX_TABLE, "rate"),  # named by its path, served as the table
    ]
    assert api.get(f"/api/datasets/{ol.LEDGER}/columns?offset=1&limit=1").json()["items"][0]["name"] == (
        "amount_aud"
    )


def test_upstream_lineage_answers_where_the_data_came_from(api, estate):
    body = api.get(f"/api/pipelines/{ol.DBT_SUMMARY}/lineage?direction=upstream").json()
    nodes = {n["id"]: n for n in body["nodes"]}
    assert set(nodes) == {ol.DBT_SUMMARY, ol.LEDGER, ol.LOAD, ol.RAW_LEDGER}
    assert [(nodes[i]["direction"], nodes[i]["depth"]) for i in (ol.DBT_SUMMARY, ol.LEDGER, ol.LOAD)] == [
        ("origin", 0),
        ("upstream", 1),
        ("upstream", 2),
    ]
    assert nodes[ol.RAW_LEDGER]["namespace"] == ol.SNOW
    assert {(e["src"], e["dst"]) for e in body["edges"]} == {
        (ol.RAW_LEDGER, ol.LOAD),
        (ol.LOAD, ol.LEDGER),
        (ol.LEDGER, ol.DBT_SUMMARY),
    }  # as data flows
    assert (body["direction"], body["deprecated"], body["replacement_endpoint"]) == ("upstream", False, None)
    assert body["impacted_consumers"] == [] and body["degraded"] is False


def test_upstream_through_a_symlink_and_both_directions(api, estate):
    up = api.get(f"/api/pipelines/{ol.SPARK_ENRICH}/lineage?direction=upstream&depth=2").json()
    assert {n["id"] for n in up["nodes"]} == {
        ol.SPARK_ENRICH,
        ol.FX_TABLE,
        ol.LEDGER,
        ol.FLINK_RATES,
        ol.LOAD,
    }
    assert up["truncated_reason"] == "depth"
    both = api.get(f"/api/pipelines/{ol.LOAD}/lineage?direction=both").json()
    sides = {n["id"]: n["direction"] for n in both["nodes"]}
    assert sides[ol.RAW_LEDGER] == "upstream" and sides[ol.SUMMARY] == "downstream"
    assert sides[ol.ENRICHED] == "downstream" and ol.FLINK_RATES not in sides  # a sibling input, not upstream
    down = api.get(f"/api/pipelines/{ol.LOAD}/lineage?direction=downstream").json()
    impact = api.get(f"/api/pipelines/{ol.LOAD}/impact").json()
    assert [n["id"] for n in down["nodes"]] == [n["id"] for n in impact["nodes"]]
    assert all("namespace" in n for n in impact["nodes"])


def test_the_lineage_route_without_direction_keeps_its_contract(api, estate):
    response = api.get(f"/api/pipelines/{ol.LOAD}/lineage")
    body = response.json()
    assert (body["deprecated"], response["Deprecation"]) == (True, "true")
    assert "direction" not in body
    assert api.get(f"/api/pipelines/{ol.LOAD}/lineage?direction=sideways").status_code == 400
    assert api.get("/api/pipelines/nope/lineage?direction=upstream").status_code == 404


def test_the_coverage_report_counts_the_dataset_facets_as_mapped(api, estate):
    mapped = api.get("/api/lineage/coverage").json()["mapped_facets"]["dataset"]
    assert {"schema", "columnLineage", "symlinks", "lifecycleStateChange", "documentation"} <= set(mapped)


def test_column_lineage_names_resolve_to_datasets_stored_under_other_ids(api, telemetry, warehouse):
    telemetry.dataset("raw_orders", name="RAW.ORDERS", namespace="snowflake://acme")
    event = ol.run_event(
        ol.DBT, ol.RunState.COMPLETE, "dbt", "dbt-prod", "orders", ol.at("10:00"), "DBT", [],
        [("snowflake://acme", "MART.ORDERS",
          ol.lineage(total=[("snowflake://acme", "RAW.ORDERS", "amount", "DIRECT", "AGGREGATION")]))],
    )  # fmt: skip
    deliver_event(ol.as_dicts([event])[0])
    hashed = ol.dataset_id_for("snowflake://acme", "MART.ORDERS")
    ours = api.get("/api/datasets?namespace=snowflake://acme").json()["items"]
    assert {d["dataset_id"] for d in ours} == {"raw_orders", hashed}
    (total,) = api.get(f"/api/datasets/{hashed}/columns").json()["items"]
    assert [u["dataset_id"] for u in total["upstream"]] == ["raw_orders"]
