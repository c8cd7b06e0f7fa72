"""gunicorn settings every server started from the project root picks up (deploy, demo, tests).

A request line may be as long as the schema allows: three 200-character filters of non-ASCII
text, percent-encoded, exceed gunicorn's default 4094 bytes and would get gunicorn's own HTML 400."""

import os

limit_request_line = 8190  # gunicorn's maximum

# LOG_FORMAT=json: gunicorn's own lines (start-up, worker, access log) are JSON objects too, so every
# line a container writes parses alike (controltower/observe/logs.py).
if os.environ.get("LOG_FORMAT") == "json":
    _json = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logconfig_dict = {
        "formatters": {"json": {"()": "controltower.observe.logs.JsonFormatter"}},
        "handlers": {"json_error": _json, "json_access": {**_json, "stream": "ext://sys.stdout"}},
        "root": {"level": "INFO", "handlers": ["json_error"]},  # replaces gunicorn's default console
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json_error"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["json_access"], "propagate": False},
        },
    }


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (metrics of several workers added up), a dead worker's live
    gauges stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
