"""The API contract: what a source API deployment must answer (post-deploy API smoke)."""

from .checks import health, list_envelope, runs_pagination, sla_contract, summary_contract, version
from .options import SmokeOptions
from .probe import Probe
from .results import ContractReport, expect
from .runner import Check, run_contract

IMPACT_FIELDS = ("nodes", "edges", "impacted_consumers", "degraded", "impact_model")


def api_checks(probe: Probe, opts: SmokeOptions) -> list[Check]:
    pid = opts.pipeline_id
    base = f"/api/pipelines/{pid}"

    def summary() -> str:
        return summary_contract(probe.json("/api/summary"), "/api/summary")

    def pipelines() -> str:
        body = probe.json("/api/pipelines")
        items = list_envelope(body, "/api/pipelines")
        expect(all(isinstance(i, dict) and i.get("pipeline_id") for i in items), "an item has no pipeline_id")
        return f"{body['total']} pipelines, {len(items)} on the first page"

    def sla() -> str:
        return sla_contract(probe.json(f"{base}/sla"), pid, f"{base}/sla")

    def costs() -> str:
        body = probe.json("/api/costs")
        expect(isinstance(body, dict) and body, "/api/costs: empty or not an object")
        return f"{len(body)} fields"

    def impact() -> str:
        try:
            return impact_contract(probe, base)
        except Exception as exc:
            if opts.impact_required:
                raise
            return f"tolerated (IMPACT_REQUIRED=0): {exc}"

    def lineage() -> str:
        body = probe.json(f"{base}/lineage")
        expect(isinstance(body, dict), f"{base}/lineage: body is not an object")
        flag = body.get("deprecated")
        expect(flag is True, f"{base}/lineage: deprecated is {flag!r}, want true")
        want = f"{base}/impact"
        got = body.get("replacement_endpoint")
        expect(got == want, f"{base}/lineage: replacement_endpoint {got!r}, want {want!r}")
        return f"deprecated, replacement_endpoint {want}"

    return [
        ("health", lambda: health(probe)),
        ("version", lambda: version(probe)),
        ("summary_contract", summary),
        ("pipelines", pipelines),
        ("runs_pagination", lambda: runs_pagination(probe, f"{base}/runs", {}, opts.page_size)),
        ("pipeline_sla", sla),
        ("costs", costs),
        ("impact", impact),
        ("lineage_deprecation", lineage),
    ]


def impact_contract(probe: Probe, base: str) -> str:
    body = probe.json(f"{base}/impact")
    expect(isinstance(body, dict), f"{base}/impact: body is not an object")
    missing = [f for f in IMPACT_FIELDS if f not in body]
    expect(not missing, f"{base}/impact: missing {', '.join(missing)}")
    return f"{len(body['nodes'])} nodes, {len(body['edges'])} edges, impact_model {body['impact_model']}"


def run_api(url: str, opts: SmokeOptions) -> ContractReport:
    probe = Probe(url, opts.token, opts.timeout_s)
    try:
        return run_contract("api", url, api_checks(probe, opts))
    finally:
        probe.close()
