"""Admin access follows the API roles: staff users see governance with the viewer role and change
it with the model's write role, on top of Django's own model permissions."""

from django.contrib import admin

from controltower.roles import GOVERNANCE_ADMIN, VIEWER, has_role


class RoleAdmin(admin.ModelAdmin):
    view_role = VIEWER
    write_role = GOVERNANCE_ADMIN
    list_per_page = 50

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or has_role(request.user, self.view_role)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or has_role(request.user, self.view_role)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) or has_role(request.user, self.write_role)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or has_role(request.user, self.write_role)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or has_role(request.user, self.write_role)
