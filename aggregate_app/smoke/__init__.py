"""Smoke contracts: plain functions that probe a deployed tier over HTTP and return a report of
named checks (PASS/FAIL with a reason). Used by `manage.py smoke`, the deploy scripts and the
scheduled smoke job.

    report = run_api("https://api.example.com", SmokeOptions.from_settings(token="..."))
    report.passed, [c.line() for c in report.checks]
"""

from .api_contract import run_api
from .options import SmokeOptions
from .results import FAIL, PASS, CheckResult, ContractReport
from .truth import run_truth, write_artifact_index
from .ui_contract import run_ui

__all__ = [
    "run_api",
    "run_ui",
    "run_truth",
    "write_artifact_index",
    "SmokeOptions",
    "CheckResult",
    "ContractReport",
    "PASS",
    "FAIL",
]
