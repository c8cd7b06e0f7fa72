"""Channels from the environment: names and kinds in CT_ALERT_CHANNELS, each channel's values in
CT_ALERT_CHANNEL_<NAME>_* or a secret file, mistakes as system checks that name the variable."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils.module_loading import import_string

from alerting_app.channels import registry
from alerting_app.channels.checks import check_alert_channels
from alerting_app.tests.channels.conftest import make_message
from testsupport.webhook_receiver import Receiver


@pytest.fixture
def channels(settings, monkeypatch):
    """Configure channels as an operator would: (CT_ALERT_CHANNELS, {variable: value})."""

    def configure(listing: str, variables: dict | None = None):
        settings.CT_ALERT_CHANNELS = listing
        for name, value in (variables or {}).items():
            monkeypatch.setenv(name, value)

    return configure


def test_each_kind_is_built_from_its_variables(channels):
    channels(
        "oncall-slack=slack, ops-teams=teams, data-pd=pagerduty, ops-genie=opsgenie, ops-hook=webhook,"
        " ops-mail=email",
        {
            "CT_ALERT_CHANNEL_ONCALL_SLACK_URL": "https://hooks.slack.com/services/T0/B0/XYZ",
            "CT_ALERT_CHANNEL_OPS_TEAMS_URL": "https://prod-01.westus.logic.azure.com/workflows/abc?sig=XYZ",
            "CT_ALERT_CHANNEL_DATA_PD_ROUTING_KEY": "R" * 32,
            "CT_ALERT_CHANNEL_OPS_GENIE_API_KEY": "genie-key",
            "CT_ALERT_CHANNEL_OPS_GENIE_URL": "https://api.eu.opsgenie.com/",
            "CT_ALERT_CHANNEL_OPS_HOOK_URL": "https://hooks.example.com/ct",
            "CT_ALERT_CHANNEL_OPS_HOOK_SECRET": "whsec",
            "CT_ALERT_CHANNEL_OPS_MAIL_TO": "a@example.com, b@example.com",
        },
    )
    found = registry.configured()
    assert list(found) == [
        "recording",
        "oncall-slack",
        "ops-teams",
        "data-pd",
        "ops-genie",
        "ops-hook",
        "ops-mail",
    ]
    assert [c.kind for c in found.values()] == [
        "recording",
        "slack",
        "teams",
        "pagerduty",
        "opsgenie",
        "webhook",
        "email",
    ]
    assert found["data-pd"].url == "https://events.pagerduty.com/v2/enqueue"
    assert found["ops-genie"].url == "https://api.eu.opsgenie.com"
    assert found["ops-mail"].to == ("a@example.com", "b@example.com")
    assert registry.get("OPS-HOOK") == found["ops-hook"]
    assert registry.get("nope") is None
    assert check_alert_channels() == []


def test_a_secret_can_come_from_a_file_and_the_channel_delivers_with_it(channels, tmp_path):
    (tmp_path / "hook").write_text("whsec-from-file\n")
    with Receiver() as hook:
        channels(
            "ops-hook=webhook",
            {
                "CT_ALERT_CHANNEL_OPS_HOOK_URL": hook.url,
                "CT_ALERT_CHANNEL_OPS_HOOK_SECRET_FILE": str(tmp_path / "hook"),
            },
        )
        channel = registry.get("ops-hook")
        channel.deliver(make_message())
    assert channel.secret == "whsec-from-file"
    assert hook.posts[0]["headers"]["X-ControlTower-Signature"].startswith("v1=")


def test_recording_is_always_there_and_sends_nothing(channels, message):
    channels("")
    assert list(registry.configured()) == ["recording"]
    delivery = registry.get("recording").deliver(message)
    assert delivery.status_code is None and delivery.detail == "recorded, not sent"
    assert delivery.payload["fingerprint"] == "aws:p2:failed_run" and delivery.payload["event"] == "trigger"


@pytest.mark.parametrize(
    ("listing", "variables", "check_id", "says"),
    [
        ("pager=pagerdoody", {}, "ct.E030", "entry 1: channel 'pager' has an unknown kind 'pagerdoody'"),
        (
            "s=https://hooks.slack.com/services/T0/B0/SECRETPATH",
            {},
            "ct.E030",
            "URLs go in CT_ALERT_CHANNEL_S_URL",
        ),
        ("Ops Slack=slack", {}, "ct.E030", "a name is lower-case letters"),
        (
            "a=slack,a=teams",
            {"CT_ALERT_CHANNEL_A_URL": "https://x.example.com/h"},
            "ct.E030",
            "entry 2: the name 'a' is used twice",
        ),
        ("recording=slack", {}, "ct.E030", "built-in recording channel"),
        ("data-pd=pagerduty", {}, "ct.E031", "needs CT_ALERT_CHANNEL_DATA_PD_ROUTING_KEY"),
        (
            "hook=webhook",
            {"CT_ALERT_CHANNEL_HOOK_URL": "https://x.example.com/h"},
            "ct.E031",
            "CT_ALERT_CHANNEL_HOOK_SECRET",
        ),
        (
            "hook=webhook",
            {
                "CT_ALERT_CHANNEL_HOOK_URL": "https://x.example.com/h",
                "CT_ALERT_CHANNEL_HOOK_SECRET_FILE": "/no/such/file",
            },
            "ct.E031",
            "CT_ALERT_CHANNEL_HOOK_SECRET_FILE cannot be read",
        ),
        (
            "s=slack",
            {"CT_ALERT_CHANNEL_S_URL": "hooks.slack.com/services/T0/B0/SECRETPATH"},
            "ct.E032",
            "CT_ALERT_CHANNEL_S_URL is not an http(s) URL",
        ),
        (
            "m=email",
            {"CT_ALERT_CHANNEL_M_TO": "ok@example.com,not-an-address"},
            "ct.E032",
            "address 2 in CT_ALERT_CHANNEL_M_TO",
        ),
    ],
)
def test_a_mistake_is_a_system_check_naming_the_variable_and_the_channel_is_left_out(
    channels, listing, variables, check_id, says
):
    channels(listing, variables)
    errors = check_alert_channels()
    assert [e.id for e in errors] == [check_id]
    assert says in errors[0].msg
    assert "SECRETPATH" not in errors[0].msg + errors[0].hint
    kept = ["a"] if listing.startswith("a=slack") else []  # the first of two entries named a stays
    assert list(registry.configured()) == ["recording", *kept]


def test_manage_py_check_fails_on_a_misconfigured_channel(channels):
    channels("data-pd=pagerduty")
    with pytest.raises(SystemCheckError, match="ct.E031"):
        call_command("check")


def test_describe_shows_kind_name_and_host_only(channels):
    channels(
        "oncall-slack=slack,data-pd=pagerduty,ops-mail=email",
        {
            "CT_ALERT_CHANNEL_ONCALL_SLACK_URL": "https://hooks.slack.com/services/T0/B0/SECRETPATH",
            "CT_ALERT_CHANNEL_DATA_PD_ROUTING_KEY": "SECRETROUTINGKEY",
            "CT_ALERT_CHANNEL_OPS_MAIL_TO": "a@example.com,b@example.com,c@example.org",
        },
    )
    assert registry.describe() == [
        {"name": "recording", "kind": "recording", "target": "nowhere (recorded only)"},
        {"name": "oncall-slack", "kind": "slack", "target": "hooks.slack.com"},
        {"name": "data-pd", "kind": "pagerduty", "target": "events.pagerduty.com"},
        {"name": "ops-mail", "kind": "email", "target": "3 recipient(s) at example.com, example.org"},
    ]


def test_the_readme_tells_how_to_connect_every_kind():
    section = (Path(__file__).resolve().parents[3] / "README.md").read_text().split("## Alerting", 1)[1]
    section = section.split("\n## ", 1)[0]
    for kind, path in registry.KINDS.items():
        if kind == "recording":
            continue
        row = next(line for line in section.splitlines() if line.startswith(f"| `{kind}` |"))
        for suffix in import_string(path).VARIABLES:
            assert f"`_{suffix}`" in row, (kind, suffix)
