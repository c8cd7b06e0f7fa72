"""One governance home: a control tier's admin holds its own jobs, schedules and records and
sends governance admins to each source's admin; a source's admin is the governance UI."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aggregate_app.models import SmokeRun
from controltower.tier import CONTROL
from governance_app.models import PolicyAssignment
from testsupport.tiers import serve_as
from triage_app.models import TriageRule

pytestmark = pytest.mark.django_db
SOURCES = "aws=http://aws.example.test:8001,azure=https://azure.example.test/ct"
GOVERNANCE_SCREENS = (
    "governance_policyassignment",
    "governance_dqstandard",
    "governance_runbookgovernance",
    "governance_policyauditevent",
    "triage_triagerule",
    "triage_assistedattempt",
)
NEW_ASSIGNMENT = {"scope": "pipeline", "target_id": "p1", "profile": "relaxed", "reason": "batch moved"}


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.test", "root-pass-123"))
    return client


@pytest.fixture(params=["ct_sources", "shorthand"])
def control_tier(request, settings):
    """A control tier, configured either way the sources registry accepts."""
    serve_as(settings, CONTROL)
    if request.param == "ct_sources":
        settings.CT_SOURCES = SOURCES
    else:
        settings.AWS_BASE, settings.AZURE_BASE = (
            "http://aws.example.test:8001",
            "https://azure.example.test/ct",
        )


def test_control_tier_index_links_each_source_admin_and_lists_no_governance(superuser_client, control_tier):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert 'href="http://aws.example.test:8001/admin/"' in page
    assert 'href="https://azure.example.test/ct/admin/"' in page
    assert "control tier's admin holds its own jobs, schedules and records" in " ".join(page.split())
    for screen in GOVERNANCE_SCREENS:
        assert f"/admin/{screen.replace('_', '/', 1)}/" not in page, screen
    # What the control tier does own is still there.
    for own in ("aggregate/smokerun", "aggregate/costanomalyrecord", "django_celery_beat/periodictask"):
        assert f"/admin/{own}/" in page, own
    assert "/admin/auth/user/" in page and "/admin/controltower/apitoken/" in page


def test_control_tier_refuses_every_governance_screen_even_to_a_superuser(superuser_client, control_tier):
    for screen in GOVERNANCE_SCREENS:
        assert superuser_client.get(reverse(f"admin:{screen}_changelist")).status_code == 403, screen
    assert superuser_client.get(reverse("admin:app_list", args=["governance"])).status_code == 404
    refused = superuser_client.post(reverse("admin:governance_policyassignment_add"), NEW_ASSIGNMENT)
    assert refused.status_code == 403 and not PolicyAssignment.objects.exists()
    rule = TriageRule.objects.create(
        name="local-oom", category="out_of_memory", likely_cause="memory", base_confidence=0.5
    )
    url = reverse("admin:triage_triagerule_change", args=[rule.pk])
    assert superuser_client.post(url, {"name": "renamed"}).status_code == 403
    assert TriageRule.objects.get(pk=rule.pk).name == "local-oom"


def test_control_tier_keeps_its_own_records_and_schedules(superuser_client, control_tier):
    now = timezone.now()
    SmokeRun.objects.create(
        contract="api", target_name="aws-smoke", target_url="http://aws", status="PASS", started_at=now,
        finished_at=now,
    )  # fmt: skip
    listing = superuser_client.get(reverse("admin:aggregate_smokerun_changelist"))
    assert listing.status_code == 200 and "aws-smoke" in listing.content.decode()
    add_schedule = reverse("admin:django_celery_beat_periodictask_add")
    assert superuser_client.get(add_schedule).status_code == 200


def test_source_admin_is_the_governance_ui(superuser_client):
    index = superuser_client.get(reverse("admin:index")).content.decode()
    assert "/admin/governance/policyassignment/" in index and "/admin/triage/triagerule/" in index
    assert 'id="source-admins"' not in index
    created = superuser_client.post(reverse("admin:governance_policyassignment_add"), NEW_ASSIGNMENT)
    assert created.status_code == 302
    assert PolicyAssignment.objects.get().profile == "relaxed"
