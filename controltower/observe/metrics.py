"""Every metric the project exposes, declared once. Labels hold bounded values only: a route's
pattern (never the raw path), a source, channel or task name, an outcome from a fixed set.

With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers or Celery processes), prometheus-client
keeps each process's values in files there and /metrics adds them up (exposition.registry); gauges
say how processes combine."""

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # no `_created` series beside every counter and histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_REQUESTS = Counter(
    "ct_http_requests_total",
    "HTTP requests answered, by route pattern and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "ct_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

INGEST_EVENTS = Counter(
    "ct_ingest_events_total",
    "OpenLineage events accepted (stored) or rejected (reason: the error code).",
    ["outcome", "reason"],
)
INGEST_LAG = Gauge(
    "ct_ingest_lag_seconds",
    "When events were last stored: now minus the newest eventTime among them.",
    multiprocess_mode="mostrecent",
)
INGEST_NEWEST_EVENT = Gauge(
    "ct_ingest_newest_event_timestamp_seconds",
    "The newest eventTime stored (Unix seconds); time() minus it is how stale ingest is.",
    multiprocess_mode="max",
)

WAREHOUSE_QUERY = Histogram(
    "ct_warehouse_query_duration_seconds",
    "Time of a warehouse statement, by backend and operation.",
    ["backend", "operation"],
    buckets=LATENCY_BUCKETS,
)

FANOUT_CALLS = Counter(
    "ct_fanout_calls_total",
    "Calls to a source from the control tier, by outcome (ok, not_found, timeout, server_error, ...).",
    ["source", "outcome"],
)
FANOUT_DURATION = Histogram(
    "ct_fanout_duration_seconds",
    "Time of a call to a source, retries included.",
    ["source"],
    buckets=LATENCY_BUCKETS,
)
FANOUT_BREAKER_OPEN = Gauge(
    "ct_fanout_breaker_open",
    "1 while a source's circuit breaker is open or half-open, else 0 (the highest over live processes).",
    ["source"],
    multiprocess_mode="livemax",
)

CELERY_TASK_RUNS = Counter(
    "ct_celery_task_runs_total", "Celery task runs, by task and final state.", ["task", "state"]
)
CELERY_TASK_FAILURES = Counter("ct_celery_task_failures_total", "Celery task runs that raised.", ["task"])

ALERT_DELIVERIES = Counter(
    "ct_alert_deliveries_total",
    "Alert notification delivery attempts, by channel and result (delivered, failed, gave_up, no_channel).",
    ["channel", "status"],
)
