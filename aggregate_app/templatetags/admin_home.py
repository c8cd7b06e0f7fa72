"""`{% load admin_home %}`: where the admin index says governance lives (aggregate_app/admin_scope.py)."""

from django import template

from aggregate_app.admin_scope import source_admins

register = template.Library()
register.simple_tag(source_admins)
