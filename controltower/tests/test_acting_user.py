"""X-Acting-User: a service account (group "service") names the person a control tier acts for.
The source verifies that person against its own users: an unknown or inactive one is refused, the
request then holds that person's role (and no more than the service account's), and audit rows
name them. From anyone else the header is ignored."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import path
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from controltower.api.auth import SERVICE_GROUP, acting_username
from testsupport.personas import make_user, password_login

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class WhoView(APIView):
    write_role = "governance_admin"

    def get(self, request):
        service = getattr(request, "service_account", None)
        return Response(
            {
                "user": service.username if service else request.user.username,
                "acting": acting_username(request),
            }
        )

    def post(self, request):
        return self.get(request)


urlpatterns = [path("api/_who", WhoView.as_view())]


@pytest.fixture
def service(db):
    """The control tier's account on a source: governance_admin (to do the writes) + service."""
    user = make_user("svc-control", "governance_admin")
    user.groups.add(Group.objects.get(name=SERVICE_GROUP))
    return user


def who(client: APIClient, acting: str | None = None, method: str = "get") -> dict:
    headers = {"HTTP_X_ACTING_USER": acting} if acting is not None else {}
    response = getattr(client, method)("/api/_who", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_service_group_exists_from_a_migration():
    assert Group.objects.filter(name=SERVICE_GROUP).exists()


def test_a_service_account_acts_for_the_named_user(client_for, service, governance_admin):
    assert who(client_for(service), "gina", "post") == {"user": "svc-control", "acting": "gina"}


def test_bearer_tokens_of_a_service_account_work_too(client_for, service, viewer):
    assert who(client_for(service, keyword="Bearer"), "vera")["acting"] == "vera"


def refused(client: APIClient, acting: str, method: str = "get"):
    response = getattr(client, method)("/api/_who", HTTP_X_ACTING_USER=acting)
    assert response.status_code == 403, response.content
    return response.json()["error"]


def test_a_person_unknown_here_is_refused_even_for_reads(client_for, service):
    error = refused(client_for(service), "mallory")
    assert error["code"] == "acting_user_refused"
    assert error["details"] == {"acting_user": "mallory"}
    assert "no account" in error["message"]


def test_a_person_deactivated_here_is_refused(client_for, service, governance_admin):
    client = client_for(service)
    assert who(client, "gina", "post")["acting"] == "gina"
    User.objects.filter(pk=governance_admin.pk).update(is_active=False)
    assert "inactive account" in refused(client, "gina", "post")["message"]


def test_a_person_demoted_here_loses_the_write_through_the_control_tier(
    client_for, service, governance_admin
):
    client = client_for(service)
    assert who(client, "gina", "post")["acting"] == "gina"
    governance_admin.groups.set([Group.objects.get(name="viewer")])
    error = refused(client, "gina", "post")
    assert error["code"] == "acting_user_refused"
    assert error["details"] == {"acting_user": "gina", "needed_role": "governance_admin"}
    assert who(client, "gina")["acting"] == "gina"  # a viewer still reads


def test_the_service_account_role_caps_what_it_may_do_for_anyone(client_for, governance_admin):
    weak = make_user("svc-weak", "viewer")
    weak.groups.add(Group.objects.get(name=SERVICE_GROUP))
    error = refused(client_for(weak), "gina", "post")
    assert error["code"] == "permission_denied"  # the control tier's token, not the person
    assert "service account" in error["message"]


def test_without_the_header_the_service_account_acts_as_itself(client_for, service):
    assert who(client_for(service))["acting"] == "svc-control"


@pytest.mark.parametrize("persona", ["viewer", "operator", "governance_admin"])
def test_anyone_else_cannot_assert_an_acting_user(request, client_for, persona):
    user = request.getfixturevalue(persona)
    assert who(client_for(user), "someone-else")["acting"] == user.username


def test_a_session_login_in_the_service_group_cannot_assert_either(service):
    client = APIClient()
    password_login(client, "svc-control", "svc-control-pass-123")
    assert who(client, "gina")["acting"] == "svc-control"


@pytest.mark.parametrize("claimed", ["", "   ", "gina; drop table", "x" * 151, "a\tb"])
def test_a_malformed_acting_user_is_ignored(client_for, service, claimed):
    assert who(client_for(service), claimed)["acting"] == "svc-control"


def test_an_inactive_service_account_cannot_authenticate_at_all(client_for, service):
    client = client_for(service)
    service.is_active = False
    service.save()
    assert client.get("/api/_who", HTTP_X_ACTING_USER="gina").status_code == 401
