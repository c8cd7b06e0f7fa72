from django.apps import AppConfig


class AggregateConfig(AppConfig):
    name = "aggregate_app"
    label = "aggregate"
    verbose_name = "Control tier"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
