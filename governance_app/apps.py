from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance_app"
    label = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from .data_version import connect

        connect()
