from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pipelines_app"
    label = "pipelines"
    verbose_name = "Telemetry"
