from django.apps import AppConfig


class AlertingConfig(AppConfig):
    name = "alerting_app"
    label = "alerting"
    verbose_name = "Alerting"

    def ready(self):
        from alerting_app.channels import checks  # noqa: F401  (registers the channel checks)
