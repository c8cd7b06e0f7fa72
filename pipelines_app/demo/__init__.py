"""Deterministic demo telemetry: a realistic estate per source ("aws", "azure") for the warehouse.

from pipelines_app.demo import load_demo
report = load_demo(get_warehouse(), "aws", now=now, seed=0)
"""

from .loader import DemoDataExists, LoadReport, load_demo

__all__ = ["DemoDataExists", "LoadReport", "load_demo"]
