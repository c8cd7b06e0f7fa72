"""The query-string kernel (controltower/api/query.py): one declaration validates and documents."""

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from controltower.api.errors import ApiError
from controltower.api.query import (
    ChoiceQuery,
    FlagQuery,
    IdListQuery,
    IntegerQuery,
    NumberQuery,
    PageQuery,
    TextQuery,
    parse_query,
)


class Query(PageQuery):
    days = IntegerQuery(1, 90, default=7, help_text="window in days")
    ratio = NumberQuery(0, 10)
    flag = FlagQuery(default=True)
    text = TextQuery()
    kind = ChoiceQuery(["b", "a"])
    ids = IdListQuery(3)


class Required(serializers.Serializer):
    kind = ChoiceQuery(["x", "y"], required=True)


def parse(query: str, declared=Query) -> dict:
    return parse_query(Request(APIRequestFactory().get(f"/?{query}")), declared)


def refusal(query: str, declared=Query) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(query, declared)
    assert caught.value.status_code == 400 and caught.value.code == "invalid_parameter"
    return caught.value


def test_absent_parameters_take_their_defaults():
    assert parse("") == {
        "offset": 0,
        "limit": 50,
        "days": 7,
        "ratio": None,
        "flag": True,
        "text": None,
        "kind": None,
        "ids": None,
    }


def test_values_are_parsed():
    got = parse("days=90&ratio=1.5e0&flag=0&text=%20a%20&kind=a&ids=p1,%20p2,p1&offset=3&limit=1")
    assert got == {
        "offset": 3,
        "limit": 1,
        "days": 90,
        "ratio": 1.5,
        "flag": False,
        "text": "a",
        "kind": "a",
        "ids": ["p1", "p2"],
    }


def test_a_parameter_given_twice_is_refused():
    error = refusal("days=7&days=8")
    assert error.message == "'days' was given 2 times; give it once."
    assert error.details == {"parameter": "days"}


def test_undeclared_parameters_are_ignored_even_repeated():
    assert parse("other=1&other=2")["days"] == 7


@pytest.mark.parametrize("raw", ["%207", "7%20", "1_0", "%D9%A7", "", "7.0", "+7", "0x7", "1" * 19])
def test_integers_are_ascii_digits_only(raw):
    error = refusal(f"days={raw}")
    assert error.details == {"parameter": "days", "minimum": 1, "maximum": 90}
    assert error.message.startswith("'days' must be an integer between 1 and 90; got ")


@pytest.mark.parametrize("raw, ok", [("0", False), ("1", True), ("90", True), ("91", False), ("-1", False)])
def test_integer_bounds(raw, ok):
    if ok:
        assert parse(f"days={raw}")["days"] == int(raw)
    else:
        assert refusal(f"days={raw}").details["parameter"] == "days"


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "11", "-0.5", "1,5", ""])
def test_numbers_are_finite_decimals_within_bounds(raw):
    error = refusal(f"ratio={raw}")
    assert error.details == {"parameter": "ratio", "minimum": 0, "maximum": 10}


@pytest.mark.parametrize("raw, value", [("true", True), ("1", True), ("false", False), ("0", False)])
def test_flags_take_one_vocabulary(raw, value):
    assert parse(f"flag={raw}")["flag"] is value


@pytest.mark.parametrize("raw", ["yes", "no", "True", "", "on"])
def test_flags_refuse_anything_else(raw):
    error = refusal(f"flag={raw}")
    assert error.details == {"parameter": "flag", "choices": ["true", "false", "1", "0"]}


def test_text_is_trimmed_and_bounded():
    assert parse("text=" + "x" * 200)["text"] == "x" * 200
    assert parse("text=%20%20")["text"] is None
    error = refusal("text=" + "x" * 201)
    assert error.message == "'text' is longer than 200 characters."
    assert error.details == {"parameter": "text"}


def test_choices_and_required_choices():
    assert refusal("kind=c").details == {"parameter": "kind", "choices": ["b", "a"]}
    error = refusal("", Required)
    assert error.message == "'kind' is required: one of x, y."
    assert error.details == {"parameter": "kind", "choices": ["x", "y"]}


def test_id_lists_are_bounded():
    assert refusal("ids=a,b,c,d").details == {"parameter": "ids"}
    assert refusal("ids=" + "x" * 201).details == {"parameter": "ids"}
    assert parse("ids=,%20,")["ids"] is None


def test_page_bounds():
    assert refusal("limit=501").details == {"parameter": "limit", "minimum": 1, "maximum": 500}
    assert refusal("offset=-1").details["parameter"] == "offset"


@pytest.fixture(scope="module")
def source_schema(tmp_path_factory, django_db_blocker) -> dict:
    import yaml

    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command(
            "spectacular",
            "--urlconf",
            "controltower.urls.source",
            "--custom-settings",
            "controltower.urls.source.SCHEMA",
            "--file",
            str(path),
        )
    return yaml.safe_load(path.read_text())


def test_a_serializers_defaults_and_bounds_are_the_schemas(source_schema):
    params = source_schema["paths"]["/api/costs/anomalies"]["get"]["parameters"]
    by_name = {p["name"]: p for p in params}
    assert by_name["baseline_days"]["schema"] == {
        "type": "integer",
        "minimum": 3,
        "maximum": 90,
        "default": 14,
    }
    assert by_name["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert by_name["anomaly_only"]["schema"]["default"] == "true"
    assert by_name["severity"]["schema"]["enum"] == ["high", "low", "medium"]
    assert by_name["team"]["schema"] == {"type": "string", "maxLength": 200, "pattern": r"^[^\x00]*$"}
    assert not any(p.get("required") for p in params)


def test_filterset_filters_are_schema_parameters(source_schema):
    params = {p["name"]: p for p in source_schema["paths"]["/api/policies/history"]["get"]["parameters"]}
    assert params["since"]["schema"] == {"type": "string", "format": "date-time"}
    assert params["scope"]["schema"]["enum"] == ["domain", "pipeline", "team"]
    assert params["target_id"]["schema"] == {"type": "string", "pattern": r"^[^\x00]*$"}
    assert {"offset", "limit", "action", "changed_by", "request_id", "target", "until"} <= set(params)


def test_governance_flags_and_lists_are_in_the_schema(source_schema):
    params = {p["name"]: p for p in source_schema["paths"]["/api/dq/standards"]["get"]["parameters"]}
    assert params["include_inactive"]["schema"]["default"] == "false"
    assert params["include_inactive"]["schema"]["enum"] == ["true", "false", "1", "0"]


@pytest.mark.parametrize("query", ["text=team%00x", "ids=a,b%00"])
def test_a_nul_character_is_refused_before_any_database_sees_it(query):
    name = query.split("=")[0]
    error = refusal(query)
    assert error.message == f"'{name}' contains a NUL character." and error.details == {"parameter": name}
