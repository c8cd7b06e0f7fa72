"""The ops diagnostics snapshot: is what is deployed what we think is deployed?

Build fingerprints of the control tier and each source (`/version`) with a reconciliation
verdict, assisted-triage telemetry and provider posture per source, circuit breakers, recent CI
workflow outcomes (GitHub) and recent scheduled smoke results. Every part degrades on its own.
"""

import contextvars
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils.module_loading import import_string

from . import breaker, client, github, meta, sources
from .models import SmokeRun
from .sources import Source

FINGERPRINT = ("git_sha", "release_tag")
ASSISTED = {
    "telemetry": "/api/triage/assisted/telemetry",
    "provider_status": "/api/triage/assisted/provider/status",
}


def own_build() -> dict:
    return {"build_id": settings.BUILD_ID, "git_sha": settings.GIT_SHA, "release_tag": settings.RELEASE_TAG}


def reconcile(control: dict, source_builds: dict[str, dict | None]) -> dict:
    """consistent: every tier runs the same git_sha and release_tag · drift: they differ ·
    incomplete: some source did not say · unidentified: no tier reports a build identity."""
    tiers = {"control": control, **{n: b for n, b in source_builds.items() if b is not None}}
    missing = sorted(n for n, b in source_builds.items() if b is None)
    fingerprints = {n: tuple(b.get(k) or "" for k in FINGERPRINT) for n, b in tiers.items()}
    distinct = set(fingerprints.values())
    differences = [
        {"field": k, "values": {n: b.get(k) or "" for n, b in tiers.items()}}
        for k in FINGERPRINT
        if len({b.get(k) or "" for b in tiers.values()}) > 1
    ]
    if len(distinct) > 1:
        verdict, reason = (
            "drift",
            "Tiers run different builds: " + ", ".join(d["field"] for d in differences) + ".",
        )
    elif missing:
        verdict, reason = "incomplete", f"No build identity from: {', '.join(missing)}."
    elif distinct == {("", "")}:
        verdict, reason = "unidentified", "No tier reports GIT_SHA or RELEASE_TAG."
    else:
        verdict, reason = "consistent", "Every tier runs the same git_sha and release_tag."
    return {"verdict": verdict, "reason": reason, "differences": differences, "missing": missing}


RECENT_SMOKE = 10
SMOKE_FIELDS = (
    "contract",
    "target_name",
    "status",
    "checks_total",
    "checks_failed",
    "failed_checks",
    "window_start",
    "started_at",
    "finished_at",
)


def recent_smoke() -> dict:
    """The latest scheduled smoke runs (aggregate_app.models.SmokeRun with a schedule window),
    newest first, and the latest status per (contract, target); `not_available` before the first."""
    rows = list(SmokeRun.objects.filter(window_start__isnull=False).values(*SMOKE_FIELDS)[:RECENT_SMOKE])
    if not rows:
        return {"status": "not_available", "reason": "The scheduled smoke job has not recorded a run yet."}
    latest: dict[str, str] = {}
    for row in rows:
        latest.setdefault(f"{row['contract']}:{row['target_name']}", row["status"])
    return {"status": "ok", "latest": latest, "results": rows}


def _in_context(fn, *args):
    return contextvars.copy_context().run(fn, *args)  # worker threads keep the request id


def extra_sections() -> dict:
    """Sections the apps above this one add (CT_DIAGNOSTICS_SECTIONS_PROVIDER): {key: {title,
    status, rows}}."""
    path = settings.CT_DIAGNOSTICS_SECTIONS_PROVIDER
    return import_string(path)() if path else {}


def snapshot(selected: list[Source], user: str = "") -> dict:
    calls = {
        "version": client.Call(path="/version", acting_user=user),
        **{k: client.Call(path=p, acting_user=user) for k, p in ASSISTED.items()},
    }
    with ThreadPoolExecutor(max_workers=len(calls) + 1) as pool:
        futures = {k: pool.submit(_in_context, client.fetch, selected, c) for k, c in calls.items()}
        ci_future = pool.submit(_in_context, github.recent_workflows)
        outcomes = {k: f.result() for k, f in futures.items()}
        ci = ci_future.result()
    versions = outcomes["version"]
    source_builds = {
        n: (
            o.data.get("build")
            if o.ok and isinstance(o.data, dict) and isinstance(o.data.get("build"), dict)
            else None
        )
        for n, o in versions.items()
    }
    control = own_build()
    capabilities = [
        meta.capability(calls[k].path, o) for k in calls for o in outcomes[k].values() if not o.ok
    ]
    if ci["status"] != "ok":
        status = "not_configured" if ci["status"] == "not_configured" else "degraded"
        capabilities.append(
            {
                "endpoint": "github:actions/runs",
                "source": "github",
                "status": status,
                "reason": ci["reason"],
                "error": ci["status"],
            }
        )
    block = meta.build("/version", versions, sources.names(), extra=capabilities)
    return {
        "builds": {
            "control": {**control, "tier": "control"},
            "sources": {
                n: {"ok": versions[n].ok, "build": b, "error": versions[n].reason or None}
                for n, b in source_builds.items()
            },
        },
        "reconciliation": reconcile(control, source_builds),
        "assisted": {
            s.name: {k: (outcomes[k][s.name].data if outcomes[k][s.name].ok else None) for k in ASSISTED}
            for s in selected
        },
        "breakers": breaker.states(),
        "ci": ci,
        "smoke": recent_smoke(),
        "sections": extra_sections(),
        "_meta": block,
    }
