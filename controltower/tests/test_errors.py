"""Every API failure answers with the one envelope: {"error": {"code", "message", "details"}}."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("testsupport.urls")]


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_validation_error_is_400_naming_the_field(client_for, operator):
    error = assert_envelope(
        client_for(operator).post("/api/_probe", {}, format="json"), 400, "invalid_request"
    )
    assert error["message"].startswith("name:")
    assert "name" in error["details"]["fields"]


def test_malformed_json_is_400(client_for, operator):
    response = client_for(operator).post("/api/_probe", "{not json", content_type="application/json")
    assert_envelope(response, 400, "malformed_request")


def test_anonymous_is_401_with_challenge(anon_client):
    response = anon_client.get("/api/_probe")
    assert_envelope(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_role_is_403(client_for, viewer):
    error = assert_envelope(
        client_for(viewer).post("/api/_probe", {"name": "x"}, format="json"), 403, "permission_denied"
    )
    assert "operator" in error["message"]


def test_unknown_route_is_404(client_for, viewer):
    assert_envelope(client_for(viewer).get("/api/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405(client_for, operator):
    assert_envelope(client_for(operator).delete("/api/_probe"), 405, "method_not_allowed")


def test_unhandled_error_is_500_without_internals(client_for, viewer, caplog):
    response = client_for(viewer).get("/api/_probe?boom=1", HTTP_X_REQUEST_ID="req-123")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret-ish" not in response.content.decode()
    assert error["details"]["request_id"] == response["X-Request-ID"] != "req-123"  # minted here
    assert "probe failure" in caplog.text


def test_request_id_is_minted_when_absent_or_unsafe(client_for, viewer):
    response = client_for(viewer).get("/api/_probe", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
