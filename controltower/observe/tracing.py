"""Optional OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: each request becomes
a span (DjangoInstrumentor), exported in batches over OTLP/HTTP, under OTEL_SERVICE_NAME or
`controltower-<tier>` (a source: `controltower-<CT_SOURCE_NAME>`). Started once per process from
ControlTowerConfig.ready(), before the WSGI handler loads its middleware. Off, nothing of
OpenTelemetry is imported and the log filter only reads `enabled`."""

import os

from django.conf import settings

enabled = False


def service_name() -> str:
    tier = "control" if settings.CT_TIER == "control" else settings.CT_SOURCE_NAME
    return os.environ.get("OTEL_SERVICE_NAME") or f"controltower-{tier}"


def instrument(processor, name: str | None = None):
    """Trace requests through `processor` (a SpanProcessor); the TracerProvider it reports to."""
    global enabled
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name or service_name()}))
    provider.add_span_processor(processor)
    DjangoInstrumentor().instrument(tracer_provider=provider)
    enabled = True
    return provider


def uninstrument() -> None:
    global enabled
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    DjangoInstrumentor().uninstrument()
    enabled = False


def start_from_environment() -> bool:
    """Start tracing once, if OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it, and the
    other OTEL_EXPORTER_OTLP_* variables, itself)."""
    if enabled or not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    trace.set_tracer_provider(instrument(BatchSpanProcessor(OTLPSpanExporter())))
    return True


def current_trace_id() -> str:
    """The current span's trace id (32 hex digits), "" outside a span."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""
