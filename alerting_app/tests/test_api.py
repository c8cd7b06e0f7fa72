"""The alert API on the control tier: the list (filters, paging, roots with their member counts),
one alert with members, notifications and history, and the writes, each refused below operator
and audited with the caller."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from alerting_app import actions, outbox
from alerting_app.actions import Occurrence
from alerting_app.models import AlertEvent, AlertIncident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _control(control_tier):
    return control_tier


def failed(pipeline: str, **over) -> Occurrence:
    fields = {"pipeline_id": pipeline, "team": "payments", **over}
    return Occurrence("failed_run", "aws", pipeline, timezone.now(), f"{pipeline} failed", "r1", **fields)


@pytest.fixture
def storm():
    root = actions.record(failed("ingest"))
    for name in ("p1", "p2"):
        actions.record(failed(name), root=root)
    other = actions.record(failed("p9", team="search"))
    return root, other


def test_the_list_shows_root_causes_with_their_member_counts(client_for, viewer, storm):
    root, other = storm
    answer = client_for(viewer).get("/api/aggregate/alerts")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["total"], body["offset"], body["limit"]) == (2, 0, 50)
    assert {(i["subject"], i["members_count"]) for i in body["items"]} == {("ingest", 2), ("p9", 0)}
    assert client_for(viewer).get("/api/aggregate/alerts?members=true").json()["total"] == 4


@pytest.mark.parametrize(
    ("query", "subjects"),
    [
        ("team=search", {"p9"}),
        ("pipeline_id=ingest", {"ingest"}),
        ("kind=stale_dataset", set()),
        ("state=acknowledged", {"p9"}),
        ("state=live", {"ingest", "p9"}),
        ("source=azure", set()),
        ("limit=1&offset=1", None),
    ],
)
def test_the_list_filters_and_pages(client_for, viewer, operator, storm, query, subjects):
    actions.acknowledge(storm[1], actor=operator.username)
    body = client_for(viewer).get(f"/api/aggregate/alerts?{query}").json()
    if subjects is None:
        assert len(body["items"]) == 1 and body["total"] == 2
    else:
        assert {i["subject"] for i in body["items"]} == subjects and body["total"] == len(subjects)


def test_resolved_alerts_stay_listed_while_recent(client_for, viewer, operator, storm):
    actions.resolve(storm[1], actor=operator.username, reason="fixed")
    AlertIncident.objects.filter(pk=storm[1].pk).update(resolved_at=timezone.now() - timedelta(hours=30))
    assert client_for(viewer).get("/api/aggregate/alerts").json()["total"] == 1
    assert client_for(viewer).get("/api/aggregate/alerts?recent_hours=48").json()["total"] == 2


def test_bad_filters_are_400_with_the_parameter_named(client_for, viewer):
    answer = client_for(viewer).get("/api/aggregate/alerts?state=burning")
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["parameter"] == "state"


def test_one_alert_has_its_members_notifications_and_history(client_for, viewer, storm):
    root = storm[0]
    for pk in outbox.due():
        outbox.deliver(pk)
    body = client_for(viewer).get(f"/api/aggregate/alerts/{root.pk}").json()
    assert {m["subject"] for m in body["members"]} == {"p1", "p2"}
    assert [(n["transition"], n["channel"], n["status"]) for n in body["notifications"]] == [
        ("trigger", "memory", "delivered")
    ]
    assert [e["action"] for e in body["events"]] == ["opened"]
    for missing in ("999999", "abc", "1e3"):
        answer = client_for(viewer).get(f"/api/aggregate/alerts/{missing}")
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found")


WRITES = [
    ("acknowledge", {"reason": "on it"}),
    ("snooze", {"until": "2099-01-01T00:00:00Z", "reason": "known maintenance"}),
    ("resolve", {"reason": "rerun succeeded"}),
]


@pytest.mark.parametrize(("verb", "body"), WRITES)
def test_writes_need_the_operator_role(
    client_for, anon_client, viewer, operator, governance_admin, storm, verb, body
):
    root = storm[0]
    url = f"/api/aggregate/alerts/{root.pk}/{verb}"
    assert anon_client.post(url, body, format="json").status_code == 401
    assert client_for(viewer).post(url, body, format="json").status_code == 403
    assert not AlertEvent.objects.exclude(action__in=("opened", "attached")).exists()
    answer = client_for(operator).post(url, body, format="json")
    assert answer.status_code == 200, answer.json()
    event = AlertEvent.objects.exclude(action__in=("opened", "attached")).filter(incident=root).get()
    assert (event.actor, event.reason) == (operator.username, body["reason"])
    assert client_for(governance_admin).post(url, body, format="json").status_code in (200, 409)


def test_a_write_on_a_resolved_alert_is_a_409_and_changes_nothing(client_for, operator, storm):
    actions.resolve(storm[1], actor="olivia", reason="done")
    answer = client_for(operator).post(f"/api/aggregate/alerts/{storm[1].pk}/acknowledge", {}, format="json")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "alert_state_conflict"
    assert not AlertEvent.objects.filter(action="acknowledged").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x"}, "until"),
        ({"until": "tomorrow", "reason": "x"}, "until"),
        ({"until": "2099-01-01T00:00:00Z"}, "reason"),
    ],
)
def test_a_bad_snooze_is_400_and_nothing_is_written(client_for, operator, storm, body, field):
    answer = client_for(operator).post(f"/api/aggregate/alerts/{storm[0].pk}/snooze", body, format="json")
    assert answer.status_code == 400 and answer.json()["error"]["message"].startswith(field)
    assert AlertIncident.objects.get(pk=storm[0].pk).state == "open"


def test_a_snooze_in_the_past_is_refused(client_for, operator, storm):
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    answer = client_for(operator).post(
        f"/api/aggregate/alerts/{storm[0].pk}/snooze", {"until": past, "reason": "x"}, format="json"
    )
    assert answer.status_code == 409


def test_the_list_costs_a_fixed_number_of_queries(client_for, viewer, storm, django_assert_max_num_queries):
    for i in range(10):
        actions.record(failed(f"q{i}"))
    client = client_for(viewer)
    with django_assert_max_num_queries(8):
        assert client.get("/api/aggregate/alerts").json()["total"] == 12
