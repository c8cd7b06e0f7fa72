"""Errors raised by governance actions. They carry an HTTP status and a code so the API renders
them as the standard envelope; the admin and jobs show their message."""

from controltower.api.errors import ApiError


class GovernanceError(ApiError):
    status_code = 400
    code = "invalid_parameter"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(type(self).status_code, type(self).code, message, details)


class InvalidInput(GovernanceError):
    """Input a person can fix (names the field in details)."""


class NotFound(GovernanceError):
    status_code = 404
    code = "not_found"


class Conflict(GovernanceError):
    """The request does not fit the current state (e.g. reviewing an exception nobody proposed)."""

    status_code = 409
    code = "conflict"


class FourEyesViolation(GovernanceError):
    """The person who proposed an exception tried to review it."""

    status_code = 403
    code = "four_eyes_violation"


class AppendOnlyViolation(Exception):
    """Something tried to change or delete an audit event."""


class WriteOutsideActions(Exception):
    """Code outside governance_app.actions tried to write a governance row (it would go unaudited)."""
