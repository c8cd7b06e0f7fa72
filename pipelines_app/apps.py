from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pipelines_app"
    label = "pipelines"
    verbose_name = "Telemetry"

    def ready(self) -> None:
        from controltower.health import register_probe

        from . import checks  # noqa: F401  (registers the system checks)
        from .data_version import on_events_stored
        from .health import check_warehouse
        from .ingest import applier, metrics, nudge
        from .ingest.signals import events_stored
        from .warehouse import on_open

        register_probe("warehouse", check_warehouse)
        if applier.attach not in on_open:
            on_open.append(applier.attach)
        events_stored.connect(on_events_stored, dispatch_uid="ct-data-version")
        events_stored.connect(metrics.on_events_stored, dispatch_uid="ct-ingest-metrics")
        events_stored.connect(nudge.on_events_stored, dispatch_uid="alert-nudge")
