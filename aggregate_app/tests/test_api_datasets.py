"""The control tier's dataset routes over real stub sources: the catalogue merged by name, one
dataset and its columns from the source that has it, upstream lineage united."""

import pytest

pytestmark = pytest.mark.django_db

NOT_FOUND = {"error": {"code": "not_found", "message": "No dataset 'ds_x'."}}


def listing(rows):
    def handler(req):
        wanted = req.query.get("namespace", [None])[0]
        items = [r for r in rows if wanted is None or r["namespace"] == wanted]
        offset, limit = int(req.query.get("offset", ["0"])[0]), int(req.query.get("limit", ["50"])[0])
        return 200, {"items": items[offset : offset + limit], "total": len(items), "offset": offset,
                     "limit": limit}  # fmt: skip

    return handler


def ds(dataset_id, name, namespace):
    return {"dataset_id": dataset_id, "name": name, "namespace": namespace, "deleted": False}


@pytest.fixture
def api(client_for, viewer):
    return client_for(viewer)


@pytest.fixture
def two(stub_sources):
    stubs = stub_sources("aws", "azure")
    aws = [ds("ds_a1", "A.ORDERS", "snowflake://aws"), ds("ds_a2", "C.SHIPMENTS", "snowflake://aws")]
    stubs["aws"].reply("/api/datasets", handler=listing(aws))
    stubs["azure"].reply("/api/datasets", handler=listing([ds("ds_z1", "B.ORDERS", "snowflake://azure")]))
    return stubs


def test_the_catalogue_merges_every_source_by_name(two, api):
    body = api.get("/api/aggregate/datasets").json()
    assert [(d["name"], d["source"]) for d in body["items"]] == [
        ("A.ORDERS", "aws"),
        ("B.ORDERS", "azure"),
        ("C.SHIPMENTS", "aws"),
    ]
    assert body["total"] == 3 and body["_meta"]["aws_ok"] and body["_meta"]["azure_ok"]
    page = api.get("/api/aggregate/datasets?offset=1&limit=1").json()
    assert [d["dataset_id"] for d in page["items"]] == ["ds_z1"]
    one = api.get("/api/aggregate/datasets?namespace=snowflake://azure").json()  # filters are forwarded
    assert [d["dataset_id"] for d in one["items"]] == ["ds_z1"]


def test_a_dataset_and_its_columns_come_from_the_source_that_has_it(two, api):
    detail = {**ds("ds_z1", "B.ORDERS", "snowflake://azure"), "fields": [{"name": "id", "type": "NUMBER"}]}
    two["azure"].reply("/api/datasets/ds_z1", detail)
    two["aws"].reply("/api/datasets/ds_z1", NOT_FOUND, status=404)
    body = api.get("/api/aggregate/datasets/ds_z1").json()
    assert (body["source"], body["also_in"], body["fields"]) == ("azure", [], detail["fields"])
    columns = {"items": [{"name": "id", "upstream": []}], "total": 1, "offset": 0, "limit": 50}
    two["azure"].reply("/api/datasets/ds_z1/columns", columns)
    two["aws"].reply("/api/datasets/ds_z1/columns", NOT_FOUND, status=404)
    assert api.get("/api/aggregate/datasets/ds_z1/columns").json()["items"] == columns["items"]
    for stub in two.values():
        stub.reply("/api/datasets/ds_x", NOT_FOUND, status=404)
    assert api.get("/api/aggregate/datasets/ds_x").status_code == 404


def test_upstream_lineage_is_united_across_sources(two, api):
    def graph(upstream):
        def handler(req):
            assert req.query["direction"] == ["upstream"]
            nodes = [{"id": "p1", "kind": "pipeline", "direction": "origin", "depth": 0},
                     {"id": upstream, "kind": "table", "direction": "upstream", "depth": 1}]  # fmt: skip
            edges = [{"src": upstream, "src_kind": "dataset", "dst": "p1", "dst_kind": "pipeline"}]
            counts = {"nodes_count": 2, "edges_count": 1, "deprecated": False, "replacement_endpoint": None}
            return 200, {
                "pipeline_id": "p1",
                "direction": "upstream",
                "nodes": nodes,
                "edges": edges,
                **counts,
            }

        return handler

    two["aws"].reply("/api/pipelines/p1/lineage", handler=graph("ds_raw_aws"))
    two["azure"].reply("/api/pipelines/p1/lineage", handler=graph("ds_raw_azure"))
    body = api.get("/api/aggregate/pipelines/p1/lineage?direction=upstream").json()
    assert {n["id"] for n in body["nodes"]} == {"p1", "ds_raw_aws", "ds_raw_azure"}
    assert (body["nodes_count"], body["edges_count"], body["direction"]) == (3, 2, "upstream")
