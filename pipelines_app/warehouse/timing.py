"""Warehouse statement times in /metrics (ct_warehouse_query_duration_seconds): backends decorate
the methods that run SQL with `timed`, labelled by backend and method (fetch_all, execute, ...)."""

import functools
import time

from controltower.observe.metrics import WAREHOUSE_QUERY


def timed(method):
    operation = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return method(self, *args, **kwargs)
        finally:
            WAREHOUSE_QUERY.labels(self.name, operation).observe(time.perf_counter() - started)

    return wrapper
