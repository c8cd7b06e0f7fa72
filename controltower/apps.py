from django.apps import AppConfig


class ControlTowerConfig(AppConfig):
    name = "controltower"
    label = "controltower"
    verbose_name = "Control Tower"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .api import auth_schema  # noqa: F401  (registers the token's OpenAPI scheme)
        from .observe import checks as observe_checks  # noqa: F401  (CT_METRICS_ALLOW, LOG_FORMAT)
        from .observe import jobs  # noqa: F401  (counts Celery task runs)
        from .observe.tracing import start_from_environment

        start_from_environment()  # once per process, before the WSGI handler loads its middleware
