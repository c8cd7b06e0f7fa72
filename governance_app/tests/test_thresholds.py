"""The seam with pipelines_app.sla: an assigned SLA profile's thresholds replace the pipeline's own
columns in every SLA answer, and removing the assignment gives them back."""

import io
from datetime import UTC, timedelta

import pytest
import time_machine
from django.core.management import call_command

from controltower.middleware import current_request_id
from governance_app import actions, thresholds
from governance_app.kinds import POLICY
from pipelines_app import sla

from .conftest import NOW

pytestmark = pytest.mark.django_db
NOW_UTC = NOW.replace(tzinfo=UTC)
PIPELINE = {
    "pipeline_id": "p1",
    "pipeline_name": "p1_job",
    "team": "payments",
    "domain": "finance",
    "freshness_sla_minutes": 120,
    "max_duration_minutes": 30,
}


def test_assigned_profile_replaces_the_pipeline_columns():
    assert thresholds.assigned([PIPELINE])(PIPELINE) is None
    assert sla.sla_thresholds(PIPELINE) == sla.SlaThresholds(120, 30, 0.1, "pipeline")
    actions.assign(POLICY, "domain", "finance", {"profile": "strict"}, actor="gina")
    assert thresholds.assigned([PIPELINE])(PIPELINE) == sla.SlaThresholds(60, 30, 0.02, "strict")
    actions.assign(POLICY, "pipeline", "p1", {"profile": "relaxed"}, actor="gina")
    assert sla.sla_thresholds(PIPELINE) == sla.SlaThresholds(1440, 360, 0.15, "relaxed")


def test_without_a_provider_sla_keeps_the_pipeline_columns(settings):
    """pipelines_app.sla reaches governance only through CT_SLA_THRESHOLDS_PROVIDER."""
    actions.assign(POLICY, "pipeline", "p1", {"profile": "relaxed"}, actor="gina")
    settings.CT_SLA_THRESHOLDS_PROVIDER = ""
    assert sla.sla_thresholds(PIPELINE) == sla.SlaThresholds(120, 30, 0.1, "pipeline")
    settings.CT_SLA_THRESHOLDS_PROVIDER = "governance_app.thresholds.assigned"
    assert sla.sla_thresholds(PIPELINE).source == "relaxed"


def test_one_query_per_request_for_many_pipelines(django_assert_num_queries):
    actions.assign(POLICY, "team", "payments", {"profile": "balanced"}, actor="gina")
    token = current_request_id.set("req-many")
    try:
        with django_assert_num_queries(1):
            sources = {sla.sla_thresholds({**PIPELINE, "pipeline_id": f"p{i}"}).source for i in range(50)}
        actions.remove(POLICY, "team", "payments", actor="gina")  # a write in this process: re-read
        assert sla.sla_thresholds(PIPELINE).source == "pipeline"
    finally:
        current_request_id.reset(token)
    assert sources == {"balanced"}


def test_sla_endpoint_follows_the_assigned_profile(telemetry, governance_admin, viewer, client_for):
    telemetry.pipeline("p1", team="payments", max_duration_minutes=30)
    telemetry.run("p1", "SUCCESS", minutes=45, ago=timedelta(hours=1))
    admin, reader = client_for(governance_admin), client_for(viewer)
    with time_machine.travel(NOW_UTC, tick=False):
        own = reader.get("/api/pipelines/p1/sla").json()
        admin.post(
            "/api/policies/assign",
            {"scope": "team", "target_id": "payments", "profile": "balanced"},
            format="json",
        )
        governed = reader.get("/api/pipelines/p1/sla").json()
        effective = reader.get("/api/policies/effective?pipeline_id=p1").json()["items"][0]
    assert (own["thresholds"]["source"], own["breach_ratio"]) == ("pipeline", 1.0)
    assert (governed["thresholds"]["source"], governed["thresholds"]["max_duration_minutes"]) == (
        "balanced",
        120,
    )
    assert governed["breach_ratio"] == 0.0
    assert effective["thresholds"] == {k: v for k, v in governed["thresholds"].items() if k != "source"}
    assert (effective["thresholds_source"], effective["breach_ratio_7d"]) == ("balanced", 0.0)


def test_assignments_reach_the_warehouse_and_warehouse_init_restores_them(warehouse):
    actions.assign(POLICY, "team", "payments", {"profile": "strict"}, actor="gina")
    rows = warehouse.fetch_all("SELECT scope, target_id, profile, max_breach_ratio FROM SLA_ASSIGNMENTS")
    assert rows == [{"scope": "team", "target_id": "payments", "profile": "strict", "max_breach_ratio": 0.02}]
    warehouse.execute("DELETE FROM SLA_ASSIGNMENTS")  # out of step, e.g. written while unreachable
    call_command("warehouse_init", stdout=io.StringIO())
    assert len(warehouse.fetch_all("SELECT scope FROM SLA_ASSIGNMENTS")) == 1
    actions.remove(POLICY, "team", "payments", actor="gina")
    assert warehouse.fetch_all("SELECT scope FROM SLA_ASSIGNMENTS") == []
