from django.apps import AppConfig


class AggregateConfig(AppConfig):
    name = "aggregate_app"
    label = "aggregate"
    verbose_name = "Control tier"
