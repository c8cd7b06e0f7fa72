"""Optional tracing: a request becomes a span and the JSON log lines written for it carry the
span's trace id beside the request id; from the environment, spans go to the OTLP/HTTP endpoint;
off, nothing of OpenTelemetry is even imported."""

import io
import json
import logging
import subprocess
import sys

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from controltower.observe import tracing
from controltower.observe.logs import ContextFilter, JsonFormatter
from testsupport.live_servers import ROOT, base_env
from testsupport.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = tracing.instrument(SimpleSpanProcessor(exporter), "controltower-test")
    yield exporter
    tracing.uninstrument()
    provider.shutdown()


@pytest.fixture
def json_log():
    """What the console handler writes with LOG_FORMAT=json, for django.request and one of ours."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("controltower.views")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_request_is_a_span_and_its_log_line_carries_the_trace_id(spans, json_log, client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    [span] = spans.get_finished_spans()
    assert span.resource.attributes["service.name"] == "controltower-test"
    trace_id = format(span.context.trace_id, "032x")
    [record] = [r for r in json_log() if r["message"] == "Not Found: /no/such/page"]
    assert record["trace_id"] == trace_id
    assert record["request_id"] == response["X-Request-ID"]


def test_a_line_logged_inside_the_request_carries_the_current_span(spans, json_log, client, monkeypatch):
    from controltower import views

    answer = views.VersionView.get

    def logged(self, request, *args, **kwargs):
        logging.getLogger("controltower.views").info("version asked")
        return answer(self, request, *args, **kwargs)

    monkeypatch.setattr(views.VersionView, "get", logged)
    response = client.get("/version")
    assert response.status_code == 200
    [span] = spans.get_finished_spans()
    [record] = [r for r in json_log() if r["message"] == "version asked"]
    assert record["trace_id"] == format(span.context.trace_id, "032x")
    assert record["request_id"] == response["X-Request-ID"]


def test_without_tracing_no_trace_id_is_logged(json_log, client):
    response = client.get("/no/such/page")
    [record] = [r for r in json_log() if r["message"] == "Not Found: /no/such/page"]
    assert record["request_id"] == response["X-Request-ID"] and "trace_id" not in record


SERVE_ONE = """
from controltower.wsgi import application
from django.test import Client
Client().get("/version")
"""
FLUSH = "from opentelemetry import trace\ntrace.get_tracer_provider().force_flush()\n"
IMPORTED = 'import sys\nprint(sorted(m for m in sys.modules if m.startswith("opentelemetry")))\n'


def run(tmp_path, script: str, **env) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=base_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_tracing_from_the_environment_exports_over_otlp_http(tmp_path):
    with Receiver() as collector:
        run(
            tmp_path,
            SERVE_ONE + FLUSH,
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.base,
            OTEL_SERVICE_NAME="tower-under-test",
        )
    [post] = [p for p in collector.posts if p["path"] == "/v1/traces"]
    headers = {k.lower(): v for k, v in post["headers"].items()}
    assert headers["content-type"] == "application/x-protobuf"
    export = ExportTraceServiceRequest.FromString(post["raw"])
    [resource_spans] = export.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
    assert service == "tower-under-test"
    [span] = [s for scope in resource_spans.scope_spans for s in scope.spans]
    assert span.name.startswith("GET")


def test_tracing_off_imports_nothing_of_opentelemetry(tmp_path):
    assert run(tmp_path, SERVE_ONE + IMPORTED).strip() == "[]"
