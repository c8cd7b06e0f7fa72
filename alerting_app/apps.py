from django.apps import AppConfig


class AlertingConfig(AppConfig):
    name = "alerting_app"
    label = "alerting"
    verbose_name = "Alerting"
