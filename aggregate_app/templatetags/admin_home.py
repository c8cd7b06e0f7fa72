"""`{% load admin_home %}`: where the admin index says governance lives. A control tier has no
governance screens (controltower/admin_roles.py); its index links to each source's admin."""

from dataclasses import dataclass

from django import template

from aggregate_app import sources

register = template.Library()


@dataclass(frozen=True)
class SourceAdmin:
    name: str
    admin_url: str


@register.simple_tag
def source_admins() -> list[SourceAdmin]:
    """Each configured source's admin, in configuration order (empty on a source)."""
    return [SourceAdmin(s.name, f"{s.url}/admin/") for s in sources.configured()]
