"""gunicorn settings every server started from the project root picks up (deploy, demo, tests).

A request line may be as long as the schema allows: three 200-character filters of non-ASCII
text, percent-encoded, exceed gunicorn's default 4094 bytes and would get gunicorn's own HTML 400."""

limit_request_line = 8190  # gunicorn's maximum


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (metrics of several workers added up), a dead worker's live
    gauges stop counting."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
