"""What a reader of /api/docs/ sees, on each tier, from the document the tier serves at
/api/schema/: every operation says what it does and sits in its area's section (never the
fallback), every section is described, and the Authorize box takes the bare token."""

import pytest

from controltower.api.schema_areas import FALLBACK, area, summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(each_tier, client_for, viewer) -> dict:
    response = client_for(viewer).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_says_what_it_does(document):
    undescribed = [name for name, op in operations(document) if not op.get("description", "").strip()]
    assert undescribed == []
    # and says it in a line beside the folded operation
    assert [name for name, op in operations(document) if not op.get("summary")] == []


@pytest.mark.parametrize(
    "description, line",
    [
        ("Failed and late runs, newest first. Filters: team.", "Failed and late runs, newest first"),
        ("Why a run failed: " + "the rules' findings " * 8 + "and more.", "Why a run failed"),
        ("x" * 200, None),
    ],
)
def test_the_summary_is_the_description_s_first_sentence_or_clause(description, line):
    assert summary(description) == line


def test_every_operation_is_in_one_described_area(document):
    described = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    placed = {name: op.get("tags") for name, op in operations(document)}
    assert {name: tags for name, tags in placed.items() if len(tags or []) != 1 or tags[0] == FALLBACK} == {}
    used = {tags[0] for tags in placed.values()}
    # the document lists exactly the sections it uses, each with a description
    assert set(described) == used and all(described.values()), described


def test_the_areas_split_the_api_into_sections(document):
    sizes: dict[str, int] = {}
    for _, op in operations(document):
        sizes[op["tags"][0]] = sizes.get(op["tags"][0], 0) + 1
    assert len(sizes) >= 12
    assert max(sizes.values()) <= 8, sizes  # no section swallows the API


@pytest.mark.parametrize(
    "path, tag",
    [
        ("/api/pipelines/{pipeline_id}/runs", "runs"),
        ("/api/pipelines/{pipeline_id}", "pipelines"),
        ("/api/aggregate/pipelines/{pipeline_id}/cost", "costs"),
        ("/api/v1/lineage/batch", "lineage"),
        ("/api/policies/history/export", "audit"),
        ("/api/aggregate/dq/exceptions/review", "exceptions"),
        ("/api/aggregate/governance/drilldown", "aggregate"),
        ("/api/aggregate/health", "identity"),
        ("/api/aggregate/alerts", "alerts"),
        ("/api/somewhere/new", FALLBACK),
    ],
)
def test_a_control_tier_route_is_in_the_area_of_the_route_it_mirrors(path, tag):
    assert area(path) == tag


def test_the_token_scheme_takes_the_bare_key(document):
    scheme = document["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "Token <key>" in scheme["description"]


MAIN_ANSWERS = {
    "source": [
        ("get", "/api/summary"),
        ("get", "/api/pipelines"),
        ("get", "/api/incidents"),
        ("get", "/api/pipelines/{pipeline_id}/impact"),
        ("post", "/api/v1/lineage"),
    ],
    "control": [
        ("get", "/api/aggregate/summary"),
        ("get", "/api/aggregate/incidents"),
        ("get", "/api/aggregate/pipelines/{pipeline_id}/impact"),
    ],
}


def test_the_main_answers_carry_an_example(document, each_tier):
    for method, path in MAIN_ANSWERS[each_tier]:
        operation = document["paths"][path][method]
        answer = operation["responses"]["200"]["content"]["application/json"]
        example = next(iter(answer["examples"].values()))
        assert example["summary"] and example["value"], path
        if each_tier == "control":  # merged by the route's own rule, as two sources answered
            assert example["value"]["_meta"]["selected"] == ["aws", "azure"], path
        if method == "post":  # and what to send
            sent = next(iter(operation["requestBody"]["content"]["application/json"]["examples"].values()))
            assert sent["value"]["eventType"] == "COMPLETE" and sent["value"]["run"]["runId"]
