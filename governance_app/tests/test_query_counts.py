"""List views run a fixed number of SQL queries whatever the number of rows (no N+1)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance_app import actions
from governance_app.kinds import DQ, POLICY

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def seed(n: int) -> None:
    with time_machine.travel(T0, tick=False):
        for i in range(n):
            actions.propose_exception(
                POLICY,
                "pipeline",
                f"p{i}",
                values={"profile": "relaxed"},
                actor="gina",
                reason="r",
                expires_at=T0 + timedelta(days=30),
                review_due_at=T0 + timedelta(days=3),
            )
            actions.propose_exception(
                DQ, "pipeline", f"p{i}", actor="gina", reason="r", expires_at=T0 + timedelta(days=30)
            )
            actions.upsert_runbook_governance(f"p{i}", actor="otto", state="open")


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/policies/history",
        "/api/dq/history",
        "/api/runbooks/governance/history",
        "/api/runbooks/governance",
        "/api/policies/exceptions/register",
        "/api/dq/exceptions/register",
        "/api/policies/review-queue",
        "/api/policies/profiles",
        "/api/dq/standards",
    ],
)
def test_list_query_count_does_not_grow_with_rows(url, viewer, client_for):
    client = client_for(viewer)
    seed(2)
    few = count(client, url)
    seed(12)
    assert count(client, url) == few


@pytest.mark.parametrize(
    "url",
    [
        "/api/policies/effective",
        "/api/dq/effective",
        "/api/runbooks",
        "/api/scorecards/teams",
        "/api/governance/posture",
    ],
)
def test_telemetry_views_query_the_store_a_fixed_number_of_times(url, telemetry, viewer, client_for):
    client = client_for(viewer)
    telemetry.pipeline("p0", team="t0")
    actions.assign(POLICY, "team", "t0", {"profile": "strict"}, actor="gina")
    with time_machine.travel(T0, tick=False):
        few = count(client, url)
        for i in range(1, 15):
            telemetry.pipeline(f"p{i}", team=f"t{i % 3}")
        seed(5)
        assert count(client, url) == few
