from django.apps import AppConfig


class AggregateConfig(AppConfig):
    name = "aggregate_app"
    label = "aggregate"
    verbose_name = "Control tier"

    def ready(self) -> None:
        # django.contrib.admin's ready() (first in INSTALLED_APPS) has loaded every admin module by now.
        from django.contrib import admin

        from . import checks  # noqa: F401  (registers the system checks)
        from .admin_scope import scope_source_owned

        scope_source_owned(admin.site)
