"""The generic webhook: the documented JSON body and headers, and a signature that the README's own
verification code accepts (and refuses when the body, secret or age is wrong)."""

import re
from pathlib import Path

import time_machine

from alerting_app.channels.webhook import WebhookChannel
from alerting_app.tests.channels.conftest import assert_matches, make_message
from testsupport.webhook_receiver import Receiver

README = Path(__file__).resolve().parents[3] / "README.md"
SECRET = "whsec-5f2b8c0e9d7a4e1b"
FIELDS = [
    "version", "event", "fingerprint", "idempotency_key", "kind", "severity", "title", "summary",
    "source", "subject", "team", "pipeline_id", "url", "opened_at", "last_seen_at", "count",
    "members", "facts",
]  # fmt: skip
MEMBER_FIELDS = ["kind", "source", "name", "pipeline_id", "dataset"]
BODY = {
    "type": "object",
    "required": FIELDS,
    "propertyNames": {"enum": FIELDS},
    "properties": {
        "version": {"const": 1},
        "event": {"enum": ["trigger", "update", "acknowledge", "resolve"]},
        "count": {"type": "integer", "minimum": 1},
        "members": {
            "type": "array",
            "items": {"required": MEMBER_FIELDS, "propertyNames": {"enum": MEMBER_FIELDS}},
        },
        "facts": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def readme_verifier():
    """The function the README's webhook section shows, executed as a receiver would paste it."""
    section = README.read_text().split("<!-- webhook-verify", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace["verify_controltower_signature"]


def test_the_body_and_headers_are_as_documented(message):
    with Receiver() as hook:
        delivery = WebhookChannel("ops-hook", hook.url, SECRET).deliver(message)
    (post,) = hook.posts
    assert_matches(BODY, post["json"])
    assert post["json"]["fingerprint"] == "aws:p2:failed_run" and post["json"]["event"] == "trigger"
    assert post["json"]["members"][1] == {
        "kind": "failed_run",
        "source": "aws",
        "name": "p7 revenue_model",
        "pipeline_id": "p7",
        "dataset": None,
    }
    headers = post["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-ControlTower-Idempotency-Key"] == "alert-7:trigger:oncall"
    assert headers["X-ControlTower-Event"] == "trigger"
    assert re.fullmatch(r"v1=[0-9a-f]{64}", headers["X-ControlTower-Signature"])
    assert delivery.payload == post["json"]
    for name in ("X-ControlTower-Timestamp", "X-ControlTower-Signature", "X-ControlTower-Idempotency-Key"):
        assert f"`{name}`" in README.read_text()


def test_the_readme_verifier_accepts_the_signature_and_refuses_tampering(message):
    verify = readme_verifier()
    with Receiver() as hook:
        WebhookChannel("ops-hook", hook.url, SECRET).deliver(message)
    headers, raw = hook.posts[0]["headers"], hook.posts[0]["raw"]
    assert verify(SECRET, headers, raw) is True
    assert verify("another-secret", headers, raw) is False
    assert verify(SECRET, headers, raw.replace(b'"count":3', b'"count":4')) is False
    later = str(int(headers["X-ControlTower-Timestamp"]) + 1)
    assert verify(SECRET, {**headers, "X-ControlTower-Timestamp": later}, raw) is False


def test_the_readme_verifier_refuses_a_replay_after_five_minutes(message):
    verify = readme_verifier()
    with time_machine.travel("2026-12-04 08:00:00+00:00", tick=False):
        with Receiver() as hook:
            WebhookChannel("ops-hook", hook.url, SECRET).deliver(make_message(transition="resolve"))
        headers, raw = hook.posts[0]["headers"], hook.posts[0]["raw"]
        assert headers["X-ControlTower-Timestamp"] == "1796371200"
    with time_machine.travel("2026-12-04 08:04:59+00:00", tick=False):
        assert verify(SECRET, headers, raw) is True
    with time_machine.travel("2026-12-04 08:06:00+00:00", tick=False):
        assert verify(SECRET, headers, raw) is False
