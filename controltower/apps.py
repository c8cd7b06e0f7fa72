from django.apps import AppConfig


class ControlTowerConfig(AppConfig):
    name = "controltower"
    label = "controltower"
    verbose_name = "Control Tower"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .api import auth_scheme  # noqa: F401  (registers the schema's token scheme)
