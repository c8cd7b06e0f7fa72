"""Operating a deployment: Prometheus metrics (`metrics`, served by `exposition` at /metrics and
counted per route by `middleware`), the logging filter and JSON formatter (`logs`) and optional
OpenTelemetry tracing (`tracing`). Celery job counts are `jobs`."""
