from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage_app"
    label = "triage"
    verbose_name = "Triage"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
