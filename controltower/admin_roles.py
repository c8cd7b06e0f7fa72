"""One admin base for every app: access follows the API roles and the tier.

Staff users see a model with `view_role` and change it with `write_role` (None: never by hand),
on top of Django's own model permissions. A model whose data lives on each source
(`served_on = SOURCE`: governance, triage rules) has no screen at all on a control tier, not even
for a superuser: an edit there would reach no page, since the control tier reads governance from
its sources over HTTP (its admin index links to each source's admin instead). The tier is read per
request, as /health reports it."""

from django.conf import settings
from django.contrib import admin

from controltower.roles import has_role
from controltower.tier import CONTROL, SOURCE


class RoleAdmin(admin.ModelAdmin):
    view_role: str | None = None
    write_role: str | None = None
    served_on: str | None = None  # SOURCE: only on a source API; None: on every tier

    def serves(self) -> bool:
        return self.served_on != SOURCE or settings.CT_TIER != CONTROL

    def _role(self, request, role: str | None) -> bool:
        return role is not None and has_role(request.user, role)

    def has_module_permission(self, request) -> bool:
        return self.serves() and (
            super().has_module_permission(request) or self._role(request, self.view_role)
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return self.serves() and (
            super().has_view_permission(request, obj) or self._role(request, self.view_role)
        )

    def has_add_permission(self, request, *args) -> bool:
        return self.serves() and (
            super().has_add_permission(request, *args) or self._role(request, self.write_role)
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return self.serves() and (
            super().has_change_permission(request, obj) or self._role(request, self.write_role)
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.serves() and (
            super().has_delete_permission(request, obj) or self._role(request, self.write_role)
        )
