"""Scheduled smoke: the API contract against each source (or SMOKE_API_URL) and the UI contract
against SMOKE_UI_URL, once per 6-hour window. Each run is stored with its checks; a target whose
contract starts failing, or recovers, is marked as such (`alert_kind`); alerting_app turns failing
runs into alert incidents and notifies its channels."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from aggregate_app import sources
from aggregate_app.models import SmokeCheck, SmokeRun
from aggregate_app.smoke import ContractReport, SmokeOptions, run_api, run_ui

from .windows import SMOKE_WINDOW, window_start

Kind = SmokeRun.AlertKind


@dataclass(frozen=True)
class Target:
    contract: str  # api | ui
    name: str
    url: str
    token: str = ""


def targets() -> list[Target]:
    token = settings.SMOKE_TOKEN
    if settings.SMOKE_API_URL:
        api = [Target("api", "api", settings.SMOKE_API_URL, token)]
    else:
        api = [Target("api", s.name, s.url, s.token or token) for s in sources.configured()]
    ui = [Target("ui", "ui", settings.SMOKE_UI_URL, token)] if settings.SMOKE_UI_URL else []
    return api + ui


def run_contract(target: Target) -> ContractReport:
    opts = SmokeOptions.from_settings(token=target.token or None)
    return (run_api if target.contract == "api" else run_ui)(target.url, opts)


def alert_kind(previous: str | None, current: str) -> str:
    """Alert on a flip: a first failure, or a pass after a failure."""
    if current == SmokeRun.Status.FAIL and previous != SmokeRun.Status.FAIL:
        return Kind.FAILURE
    if current == SmokeRun.Status.PASS and previous == SmokeRun.Status.FAIL:
        return Kind.RECOVERY
    return Kind.NONE


def record(target: Target, report: ContractReport, window: datetime | None) -> SmokeRun | None:
    """Store the run and its checks; None when this window's run was recorded meanwhile."""
    status = SmokeRun.Status.PASS if report.passed else SmokeRun.Status.FAIL
    previous = SmokeRun.objects.filter(contract=target.contract, target_name=target.name).first()
    kind = alert_kind(previous.status if previous else None, status)
    try:
        with transaction.atomic():
            run = SmokeRun.objects.create(
                contract=target.contract,
                target_name=target.name,
                target_url=target.url,
                window_start=window,
                status=status,
                checks_total=len(report.checks),
                checks_failed=len(report.failed),
                failed_checks=[c.name for c in report.failed],
                started_at=datetime.fromisoformat(report.started_at),
                finished_at=datetime.fromisoformat(report.finished_at),
                alert_kind=kind,
            )
            SmokeCheck.objects.bulk_create(check_rows(run, report))
    except IntegrityError:
        return None
    return run


def check_rows(run: SmokeRun, report: ContractReport) -> list[SmokeCheck]:
    fields = ("name", "status", "reason", "elapsed_ms")
    rows = []
    for i, check in enumerate(report.checks):
        rows.append(SmokeCheck(run=run, position=i, **{f: getattr(check, f) for f in fields}))
    return rows


def run_scheduled_smoke(*, now: datetime | None = None) -> dict:
    """Run every target not yet run in this window."""
    window = window_start(now or timezone.now(), SMOKE_WINDOW)
    runs = {}
    for target in targets():
        key = f"{target.contract}:{target.name}"
        done = SmokeRun.objects.filter(contract=target.contract, target_name=target.name, window_start=window)
        if done.exists():
            runs[key] = "already_ran"
            continue
        run = record(target, run_contract(target), window)
        runs[key] = run.status if run else "already_ran"
    return {"window_start": window.isoformat(), "runs": runs}
