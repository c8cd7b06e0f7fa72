"""Diagnostics: build fingerprints across tiers and their reconciliation, assisted-triage
telemetry (counters, recent events) and provider posture per source, circuit breakers, recent CI
workflow outcomes, scheduled smoke results, and the JSON snapshot export."""

import json
from urllib.parse import urlencode

from .common import AGG, selected_source, source_options
from .gateway import Gateway
from .state import PageState

PATH = f"{AGG}/ops/diagnostics"


def build(state: PageState, api: Gateway, request) -> dict:
    source = selected_source(state, "diag_source")
    result = api.get(PATH, source=source)
    body = result.body if result.ok else {}
    builds = body.get("builds") or {}
    tiers = [{"tier": "control", "ok": True, **(builds.get("control") or {})}]
    for name, entry in (builds.get("sources") or {}).items():
        tiers.append(
            {"tier": name, "ok": entry.get("ok"), "error": entry.get("error"), **(entry.get("build") or {})}
        )
    assisted = []
    for name, parts in (body.get("assisted") or {}).items():
        telemetry = (parts or {}).get("telemetry") or {}
        provider = (parts or {}).get("provider_status") or {}
        assisted.append(
            {
                "source": name,
                "telemetry": telemetry,
                "provider": provider,
                "providers": sorted((provider.get("providers") or {}).items()),
            }
        )
    snapshot = {k: v for k, v in body.items()}
    return {
        "results": [result],
        "result": result,
        "source_options": source_options(),
        "tiers": tiers,
        "reconciliation": body.get("reconciliation") or {},
        "assisted": assisted,
        "breakers": sorted((body.get("breakers") or {}).items()),
        "ci": body.get("ci") or {},
        "smoke": body.get("smoke") or {},
        "sections": list((body.get("sections") or {}).items()),
        "export_url": f"{PATH}?{urlencode({'source': source, 'download': 1})}",
        "snapshot_json": json.dumps(snapshot, indent=2, sort_keys=True, default=str) if body else "",
    }
