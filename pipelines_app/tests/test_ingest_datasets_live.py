"""Dataset facets through the real openlineage-python client (HTTP transport, api_key auth) and
through the batch route: what Airflow, dbt, Spark and Flink send is served by /api/datasets."""

import orjson
import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.transport.http import HttpConfig, HttpTransport

from testsupport import ol_producers as ol

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def get(live_server, token: str, path: str) -> dict:
    response = requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Token {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_client_s_events_become_datasets_columns_and_upstream_lineage(live_server, operator, warehouse):
    config = {
        "url": live_server.url,
        "compression": "gzip",
        "auth": {"type": "api_key", "apiKey": operator.api_key},
    }
    client = OpenLineageClient(transport=HttpTransport(HttpConfig.from_dict(config)))
    for event in reversed(ol.events()):  # newest first: the end state does not depend on it
        client.emit(event)

    token = operator.api_key
    listed = get(live_server, token, "/api/datasets?platform=snowflake&name=mart.ledger&limit=10")
    assert {(d["namespace"], d["name"], d["deleted"]) for d in listed["items"]} == {
        (ol.SNOW, "MART.LEDGER", False),
        (ol.SNOW_US, "MART.LEDGER", False),
        (ol.SNOW, "MART.LEDGER_SUMMARY", False),
        (ol.SNOW, "MART.LEDGER_OLD", True),
    }
    ledger = get(live_server, token, f"/api/datasets/{ol.LEDGER}")
    assert [f["name"] for f in ledger["fields"]] == ["id", "amount_aud", "currency"]  # the newer schema
    assert [p["id"] for p in ledger["producers"]] == [ol.LOAD]
    columns = get(live_server, token, f"/api/datasets/{ol.ENRICHED}/columns")["items"]
    assert [(u["dataset_id"], u["field"]) for u in columns[0]["upstream"]] == [
        (ol.LEDGER, "amount_aud"),
        (ol.FX_TABLE, "rate"),
    ]
    up = get(live_server, token, f"/api/pipelines/{ol.SPARK_ENRICH}/lineage?direction=upstream")
    assert {ol.FLINK_RATES, ol.RATES, ol.LOAD, ol.RAW_LEDGER} <= {n["id"] for n in up["nodes"]}


def test_a_batch_over_http_is_served_the_same(client_for, operator, viewer, warehouse):
    body = orjson.dumps(ol.as_dicts(ol.events()))
    response = client_for(operator, "Bearer").post(
        "/api/v1/lineage/batch", data=body, content_type="application/json"
    )
    assert response.json() == {"received": 11, "accepted": 11, "rejected": []}
    reader = client_for(viewer)
    fx = reader.get(f"/api/datasets/{ol.FX_PATH_ID}").json()
    assert (fx["dataset_id"], fx["resolved_from"]) == (ol.FX_TABLE, ol.FX_PATH_ID)
    summary = reader.get(f"/api/datasets/{ol.SUMMARY}/columns").json()["items"]
    assert [(c["name"], [u["transformation_type"] for u in c["upstream"]]) for c in summary] == [
        ("day", []),
        ("total_aud", ["AGGREGATION"]),
    ]
    assert reader.get(f"/api/datasets/{ol.LEDGER_OLD}").json()["deleted"] is True
