"""The governance admin: every model registered; writes go through governance_app.actions."""

from . import assignments, audit, runbooks  # noqa: F401  (registers the ModelAdmins)
