from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage_app"
    label = "triage"
    verbose_name = "Triage"
