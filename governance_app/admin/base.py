"""Governance screens: seen with the viewer role, changed with governance_admin (a model may ask
for less, e.g. runbook governance: operator), and only on a source API, where governance lives."""

from controltower.admin_roles import SOURCE, RoleAdmin
from controltower.roles import GOVERNANCE_ADMIN, VIEWER


class GovernanceAdmin(RoleAdmin):
    view_role = VIEWER
    write_role = GOVERNANCE_ADMIN
    served_on = SOURCE
    list_per_page = 50
