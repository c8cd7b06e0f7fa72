"""The sources registry: one parser for CT_SOURCES (and the AWS_BASE/AZURE_BASE shorthand),
tokens per source, and `source=` selection."""

import pytest
from django.core.checks import run_checks

from aggregate_app import checks, sources
from controltower.api.errors import ApiError


def ids(problems) -> list[str]:
    return [p.id for p in problems]


def test_parse_keeps_order_lowercases_names_and_strips_trailing_slashes():
    parsed = sources.parse(
        " AWS=https://aws.example.com/ , azure=http://127.0.0.1:8002,gcp=https://g.example.com/ct"
    )
    assert parsed.entries == (
        ("aws", "https://aws.example.com"),
        ("azure", "http://127.0.0.1:8002"),
        ("gcp", "https://g.example.com/ct"),
    )
    assert parsed.problems == ()


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("aws=https://a.example.com,AWS=https://b.example.com", "ct.E001"),
        ("aws=https://a.example.com,azure", "ct.E002"),
        ("aws=ftp://a.example.com", "ct.E002"),
        ("aws=https://", "ct.E002"),
        ("a b=https://a.example.com", "ct.E002"),
        ("both=https://a.example.com", "ct.E002"),
        ("all=https://a.example.com", "ct.E002"),
    ],
)
def test_parse_reports_each_mistake_with_its_check_id(raw, problem):
    parsed = sources.parse(raw)
    assert ids(parsed.problems) == [problem]


def test_invalid_entries_are_left_out_of_the_registry():
    parsed = sources.parse("aws=https://a.example.com,azure,aws=https://b.example.com")
    assert parsed.entries == (("aws", "https://a.example.com"),)


def test_aws_and_azure_base_are_the_two_source_shorthand():
    parsed = sources.parse("", aws_base="https://aws.example.com", azure_base="https://azure.example.com/")
    assert parsed.entries == (("aws", "https://aws.example.com"), ("azure", "https://azure.example.com"))


def test_ct_sources_wins_over_the_shorthand_with_a_warning():
    parsed = sources.parse("gcp=https://g.example.com", aws_base="https://aws.example.com")
    assert parsed.entries == (("gcp", "https://g.example.com"),)
    assert ids(parsed.problems) == ["ct.W003"] and parsed.problems[0].warning


def test_the_system_check_uses_the_same_parser(settings):
    settings.CT_SOURCES, settings.AWS_BASE = "both=https://x.example.com", "https://aws.example.com"
    messages = checks.check_sources()
    assert [(m.id, m.level >= 40) for m in messages] == [("ct.W003", False), ("ct.E002", True)]


def test_duplicate_source_name(settings):
    settings.CT_SOURCES = "aws=https://a.example.com,AWS=https://b.example.com"
    assert ids(checks.check_sources()) == ["ct.E001"]


def test_malformed_source_entry(settings):
    settings.CT_SOURCES = "aws=https://a.example.com,azure"
    assert ids(checks.check_sources()) == ["ct.E002"]


def test_valid_sources_pass(settings):
    settings.CT_SOURCES = "aws=https://a.example.com, azure=http://127.0.0.1:8002"
    assert checks.check_sources() == []


def test_manage_check_reports_source_mistakes(settings):
    """The app registers its check: `manage.py check` (Django's run_checks) names the mistake."""
    settings.CT_SOURCES = "aws=https://a.example.com,AWS=https://b.example.com"
    assert "ct.E001" in ids(run_checks())


def test_tokens_come_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CT_SOURCE_AWS_TOKEN", "tok-aws")
    secret = tmp_path / "token"
    secret.write_text("tok-from-file\n")
    monkeypatch.setenv("CT_SOURCE_EU_WEST_TOKEN_FILE", str(secret))
    monkeypatch.delenv("CT_SOURCE_EU_WEST_TOKEN", raising=False)
    assert sources.token_for("aws") == "tok-aws"
    assert sources.token_for("eu-west") == "tok-from-file"
    assert sources.token_for("nowhere") == ""


@pytest.fixture
def three(settings, monkeypatch):
    settings.CT_SOURCES = "aws=http://127.0.0.1:1,azure=http://127.0.0.1:2,gcp=http://127.0.0.1:3"
    settings.AWS_BASE = settings.AZURE_BASE = ""
    monkeypatch.setenv("CT_SOURCE_AZURE_TOKEN", "tok-azure")


@pytest.mark.parametrize("param", [None, "", "both", "all", "ALL"])
def test_select_every_source_by_default_both_or_all(three, param):
    assert [s.name for s in sources.select(param)] == ["aws", "azure", "gcp"]


def test_select_one_source_by_name_with_its_token(three):
    (azure,) = sources.select("Azure")
    assert (azure.name, azure.url, azure.token) == ("azure", "http://127.0.0.1:2", "tok-azure")


def test_an_unknown_source_is_a_400_naming_the_valid_ones(three):
    with pytest.raises(ApiError) as caught:
        sources.select("oracle")
    error = caught.value
    assert (error.status_code, error.code) == (400, "invalid_parameter")
    assert "aws, azure, gcp, both, all" in error.message and "'oracle'" in error.message
    assert error.details["choices"] == ["aws", "azure", "gcp", "both", "all"]


def test_a_required_source_must_be_given(three):
    with pytest.raises(ApiError, match="'source' is required"):
        sources.select(None, required=True)
    assert [s.name for s in sources.select("both", required=True)] == ["aws", "azure", "gcp"]


def test_a_single_source_route_refuses_both(three):
    with pytest.raises(ApiError) as caught:
        sources.select("both", single=True)
    assert caught.value.details["choices"] == ["aws", "azure", "gcp"]
    assert "one source at a time" in caught.value.message


def test_no_sources_configured_is_a_503(settings):
    settings.CT_SOURCES = settings.AWS_BASE = settings.AZURE_BASE = ""
    with pytest.raises(ApiError) as caught:
        sources.select("both")
    assert (caught.value.status_code, caught.value.code) == (503, "sources_not_configured")
