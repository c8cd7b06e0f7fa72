"""Which admin screens a tier offers. Governance lives on the sources: each source API owns its
governance store and its triage rules, and the control tier reads them over HTTP. A control
tier's database has the same tables (one project, one schema), but an edit made there would reach
no page, so on a control tier the admin offers none of those screens (403 for every view, add,
change or delete, superusers included) and its index links to each source's admin instead. It
keeps its own models: jobs (smoke runs, cost-anomaly records), schedules, users and tokens.

The role is read per request (as /health reports it), not at registration, so one process
serves what its settings say."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin import AdminSite

from controltower.views import tier

from . import sources

SOURCE_OWNED_APPS = ("governance", "triage")  # app labels whose data lives on each source


def is_control_tier() -> bool:
    return tier() == "control"


@dataclass(frozen=True)
class SourceAdmin:
    name: str
    admin_url: str


def source_admins() -> list[SourceAdmin]:
    """Each configured source's admin, in configuration order (empty on a source)."""
    return [SourceAdmin(s.name, f"{s.url}/admin/") for s in sources.configured()]


class SourceOwnedAdmin:
    """Mixed in front of a source-owned model's ModelAdmin: nothing on a control tier."""

    def has_module_permission(self, request) -> bool:
        return not is_control_tier() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return not is_control_tier() and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return not is_control_tier() and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return not is_control_tier() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not is_control_tier() and super().has_delete_permission(request, obj)


def scope_source_owned(site: AdminSite) -> None:
    """Re-register every source-owned model's admin with SourceOwnedAdmin in front (called once
    the admin modules are loaded; the apps that own the models keep their admin as it is)."""
    for label in SOURCE_OWNED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not site.is_registered(model):
                continue
            current = type(site.get_model_admin(model))
            if issubclass(current, SourceOwnedAdmin):
                continue
            site.unregister(model)
            site.register(model, type(current.__name__, (SourceOwnedAdmin, current), {}))
