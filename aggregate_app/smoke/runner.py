"""Runs named checks in order; a check is a function returning its PASS reason or raising CheckFailed."""

import time
from collections.abc import Callable
from datetime import UTC, datetime

from .results import FAIL, PASS, CheckFailed, CheckResult, ContractReport

Check = tuple[str, Callable[[], str]]


def run_check(name: str, fn: Callable[[], str]) -> CheckResult:
    started = time.monotonic()
    try:
        status, reason = PASS, fn() or "ok"
    except CheckFailed as exc:
        status, reason = FAIL, str(exc)
    except Exception as exc:  # a check must report, never crash the contract
        status, reason = FAIL, f"unexpected {type(exc).__name__}: {str(exc)[:200]}"
    return CheckResult(name, status, reason, int((time.monotonic() - started) * 1000))


def run_contract(contract: str, target: str, checks: list[Check]) -> ContractReport:
    report = ContractReport(contract=contract, target=target)
    for name, fn in checks:
        report.checks.append(run_check(name, fn))
    report.finished_at = datetime.now(UTC).isoformat()
    return report
