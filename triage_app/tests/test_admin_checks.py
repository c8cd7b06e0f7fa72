"""Rules are edited in the admin (and the engine follows); attempts are read-only; configuration
mistakes are system checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from triage_app import rules
from triage_app.checks import check_assisted
from triage_app.models import AssistedAttempt, TriageRule

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MSG = "000630 (57014): Statement reached its statement or warehouse timeout of 3,600 second(s)."


def _form(rule: TriageRule, **changes) -> dict:
    data = {
        "name": rule.name,
        "order": rule.order,
        "enabled": "on" if rule.enabled else "",
        "category": rule.category,
        "description": rule.description,
        "error_code_pattern": rule.error_code_pattern,
        "message_regex": rule.message_regex,
        "source_systems": json.dumps(rule.source_systems),
        "likely_cause": rule.likely_cause,
        "next_actions": json.dumps(rule.next_actions),
        "runbook_hints": json.dumps(rule.runbook_hints),
        "base_confidence": rule.base_confidence,
    }
    return {**data, **changes}


def test_admin_edits_a_rule_and_the_engine_uses_it(admin_client):
    rule = TriageRule.objects.get(name="warehouse-or-query-timeout")
    url = reverse("admin:triage_triagerule_change", args=[rule.pk])
    actions = ["Resize TRANSFORM_WH to MEDIUM for the month-end run."]
    response = admin_client.post(url, _form(rule, next_actions=json.dumps(actions), base_confidence="0.75"))
    assert response.status_code == 302
    match = rules.evaluate(rules.build_signal("000630", TIMEOUT_MSG, "dbt"))
    assert (match.next_actions, match.base_confidence) == (actions, 0.75)


def test_admin_refuses_a_broken_regex(admin_client):
    rule = TriageRule.objects.get(name="warehouse-or-query-timeout")
    url = reverse("admin:triage_triagerule_change", args=[rule.pk])
    response = admin_client.post(url, _form(rule, message_regex="(timeout"))
    assert response.status_code == 200
    assert "Not a valid regular expression" in response.content.decode()
    rule.refresh_from_db()
    assert rule.message_regex.startswith("statement reached")


def test_admin_disable_action(admin_client):
    rule = TriageRule.objects.get(name="warehouse-or-query-timeout")
    url = reverse("admin:triage_triagerule_changelist")
    response = admin_client.post(url, {"action": "disable", "_selected_action": [rule.pk]})
    assert response.status_code == 302
    assert rules.evaluate(rules.build_signal("000630", TIMEOUT_MSG, "dbt")).rule_name == "unknown"
    assert admin_client.get(url).status_code == 200


def test_attempts_are_read_only_in_the_admin(admin_client):
    attempt = AssistedAttempt.objects.create(provider="openai", status="success", latency_ms=420)
    assert admin_client.get(reverse("admin:triage_assistedattempt_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:triage_assistedattempt_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:triage_assistedattempt_delete", args=[attempt.pk])).status_code
        == 403
    )
    change = reverse("admin:triage_assistedattempt_change", args=[attempt.pk])
    admin_client.post(change, {"provider": "bedrock", "status": "failed"})
    attempt.refresh_from_db()
    assert (attempt.provider, attempt.status) == ("openai", "success")


@pytest.mark.parametrize(
    "overrides,ids",
    [
        ({}, []),
        ({"ASSISTED_TRIAGE_PROVIDER": "chatgpt"}, ["triage.E001"]),
        ({"ASSISTED_FAILURE_POLICY": "lenient"}, ["triage.E002"]),
        ({"ASSISTED_RETRY_MAX_ATTEMPTS": 0}, ["triage.E003"]),
        ({"BEDROCK_MODEL_ID": ""}, ["triage.W001"]),
        ({"ASSISTED_TRIAGE_PROVIDER": "auto"}, []),
        (
            {"ASSISTED_TRIAGE_PROVIDER": "auto", "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"},
            ["triage.W002"],
        ),
        ({"ASSISTED_TRIAGE_PROVIDER": "auto", "BEDROCK_MODEL_ID": ""}, ["triage.W001"]),
        ({"ASSISTED_TRIAGE_PROVIDER": "azure_openai"}, ["triage.W001"]),
        ({"BEDROCK_MODEL_ID": "anthropic.claude-3-haiku-20240307-v1:0"}, []),
        ({"BEDROCK_MODEL_ID": "us.anthropic.claude-3-5-sonnet-20241022-v2:0"}, []),
        ({"BEDROCK_MODEL_ID": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"}, []),
        ({"BEDROCK_MODEL_ID": "apac.anthropic.claude-sonnet-4-20250514-v1:0"}, []),
        ({"BEDROCK_MODEL_ID": "us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0"}, []),
        (
            {
                "BEDROCK_MODEL_ID": "arn:aws:bedrock:ap-southeast-2:123456789012:inference-profile/"
                "au.anthropic.claude-haiku-4-5-20251001-v1:0"
            },
            [],
        ),
        ({"BEDROCK_MODEL_ID": "amazon.titan-text-express-v1"}, ["triage.W003"]),
        ({"BEDROCK_MODEL_ID": "meta.llama3-70b-instruct-v1:0"}, ["triage.W003"]),
        ({"BEDROCK_MODEL_ID": "us.meta.llama3-2-90b-instruct-v1:0"}, ["triage.W003"]),
        ({"BEDROCK_MODEL_ID": "claude-sonnet-4-5"}, ["triage.W003"]),
        (
            {"ASSISTED_TRIAGE_PROVIDER": "openai", "BEDROCK_MODEL_ID": "amazon.nova-pro-v1:0"},
            ["triage.W001", "triage.W003"],
        ),
    ],
)
def test_system_checks(settings, overrides, ids):
    for name, value in overrides.items():
        setattr(settings, name, value)
    assert [c.id for c in check_assisted()] == ids


def manage_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_manage_check_warns_of_a_bedrock_model_that_is_not_anthropic():
    """What an operator sees: the default configuration has nothing to say (without AWS credentials
    too), a Llama model id on Bedrock is named with the fix."""
    assert manage_check().stdout.strip() == "System check identified no issues (0 silenced)."
    llama = manage_check(BEDROCK_MODEL_ID="meta.llama3-70b-instruct-v1:0")
    assert llama.returncode == 0  # a warning, not an error
    assert "(triage.W003) BEDROCK_MODEL_ID='meta.llama3-70b-instruct-v1:0' is not an Anthropic model" in (
        llama.stderr
    )
    assert "us.anthropic." in llama.stderr
    profile = manage_check(BEDROCK_MODEL_ID="eu.anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert "triage.W003" not in profile.stdout + profile.stderr


def test_a_rule_edit_is_kept_in_its_history_with_the_person_and_the_values_it_replaced(
    admin_client, admin_user
):
    rule = TriageRule.objects.get(name="warehouse-or-query-timeout")
    shipped_actions = rule.next_actions
    url = reverse("admin:triage_triagerule_change", args=[rule.pk])
    edited = ["Resize TRANSFORM_WH to MEDIUM for the month-end run."]
    assert admin_client.post(url, _form(rule, next_actions=json.dumps(edited))).status_code == 302
    latest, before = rule.history.all()[:2]
    assert (latest.history_type, latest.history_user, latest.next_actions) == ("~", admin_user, edited)
    assert before.next_actions == shipped_actions  # the baseline written when the history began
    changes = latest.diff_against(before).changes
    assert [(c.field, c.old, c.new) for c in changes] == [("next_actions", shipped_actions, edited)]
    page = admin_client.get(reverse("admin:triage_triagerule_history", args=[rule.pk]))
    assert page.status_code == 200 and admin_user.get_username() in page.content.decode()


def test_enabling_and_disabling_from_the_list_are_in_the_history(admin_client, admin_user):
    rule = TriageRule.objects.get(name="warehouse-or-query-timeout")
    url = reverse("admin:triage_triagerule_changelist")
    for action in ("disable", "enable"):
        admin_client.post(url, {"action": action, "_selected_action": [rule.pk]})
    recorded = list(rule.history.values_list("enabled", "history_change_reason", "history_user")[:2])
    assert recorded == [
        (True, "Enabled in the rule list", admin_user.pk),
        (False, "Disabled in the rule list", admin_user.pk),
    ]
