"""The UI contract: what the control tier must answer (post-deploy UI smoke). Aggregate checks
also fail when `_meta` marks a source they asked for as degraded, naming the source."""

from functools import cache

from .checks import (
    find_pipeline,
    health,
    list_envelope,
    meta_problems,
    runs_pagination,
    sla_contract,
    source_health,
    summary_contract,
    version,
)
from .options import SmokeOptions
from .probe import Probe
from .results import CheckFailed, ContractReport, expect
from .runner import Check, run_contract

AGG = "/api/aggregate"


def aggregate(probe: Probe, path: str, source: str, **params) -> dict:
    body = probe.json(AGG + path, {"source": source, **params})
    degraded(body, source)
    return body


def degraded(body: object, source: str) -> None:
    problems = meta_problems(body, None if source in ("both", "all") else [source])
    if problems:
        raise CheckFailed(f"{AGG}?source={source}: " + "; ".join(problems))


def ui_checks(probe: Probe, opts: SmokeOptions) -> list[Check]:
    pid = opts.pipeline_id

    @cache
    def summary_body() -> dict:
        return aggregate(probe, "/summary", "both")

    def pipelines(source: str) -> str:
        body = aggregate(probe, "/pipelines", source)
        items = list_envelope(body, f"{AGG}/pipelines?source={source}")
        return f"{body['total']} pipelines, {len(items)} on the first page"

    def incidents() -> str:
        body = aggregate(probe, "/incidents", "both")
        expect(isinstance(body, dict), "incidents: body is not an object")
        return f"{body['total']} incidents" if "total" in body else "ok"

    def sla() -> str:
        body = aggregate(probe, f"/pipelines/{pid}/sla", "aws")
        row = (body.get("by_source") or {}).get("aws", body)  # per-source answers, or the single one
        return sla_contract(row, pid, f"{AGG}/pipelines/{pid}/sla?source=aws")

    def runs() -> str:
        path = f"{AGG}/pipelines/{pid}/runs"
        return runs_pagination(probe, path, {"source": "aws"}, opts.page_size, lambda b: degraded(b, "aws"))

    return [
        ("health", lambda: health(probe)),
        ("version", lambda: version(probe)),
        ("aggregate_summary", lambda: f"{len(meta_sources(summary_body()))} sources ok"),
        ("aggregate_summary_contract", lambda: summary_contract(summary_body(), f"{AGG}/summary")),
        ("aggregate_costs", lambda: f"{len(aggregate(probe, '/costs', 'both'))} fields"),
        ("aggregate_pipelines_aws", lambda: pipelines("aws")),
        ("aggregate_pipelines_both", lambda: pipelines("both")),
        ("aggregate_incidents", incidents),
        ("aggregate_pipeline_sla", sla),
        ("aggregate_runs_pagination_aws", runs),
        *semantic_checks(probe, opts),
    ]


def meta_sources(body: dict) -> list[str]:
    return sorted(source_health(body["_meta"]))


def semantic_checks(probe: Probe, opts: SmokeOptions) -> list[Check]:
    """SEMANTIC_PIPELINE_ID exists in aws and both; aws.runs_7d > ASSERT_RUNS7D_GT;
    aws.last_end_ts is set; both.runs_7d >= aws.runs_7d (summed over the sources' rows)."""
    pid, floor = opts.pipeline_id, opts.runs7d_gt

    @cache
    def rows(source: str) -> tuple:
        meta = lambda b: degraded(b, source)  # noqa: E731
        return tuple(find_pipeline(probe, f"{AGG}/pipelines", {"source": source}, pid, meta))

    def exists(source: str) -> str:
        expect(rows(source), f"pipeline {pid} not found in {AGG}/pipelines?source={source}")
        return f"{pid} found in {source} ({len(rows(source))} row(s))"

    def runs_7d(source: str) -> int:
        found = rows(source)
        expect(found, f"pipeline {pid} not found in {source}")
        values = [r.get("runs_7d") for r in found]
        expect(all(isinstance(v, int) for v in values), f"{source}.runs_7d is {values!r}, want integers")
        return sum(values)

    def aws_runs() -> str:
        value = runs_7d("aws")
        expect(value > floor, f"aws.runs_7d={value}, want > {floor} (ASSERT_RUNS7D_GT)")
        return f"aws.runs_7d={value} > {floor}"

    def aws_last_end() -> str:
        found = rows("aws")
        expect(found, f"pipeline {pid} not found in aws")
        value = found[0].get("last_end_ts")
        expect(value, f"aws.last_end_ts is {value!r} for {pid}")
        return f"aws.last_end_ts={value}"

    def both_ge_aws() -> str:
        both, aws = runs_7d("both"), runs_7d("aws")
        expect(both >= aws, f"both.runs_7d={both} < aws.runs_7d={aws}")
        return f"both.runs_7d={both} >= aws.runs_7d={aws}"

    return [
        ("semantic_pipeline_in_aws", lambda: exists("aws")),
        ("semantic_pipeline_in_both", lambda: exists("both")),
        ("semantic_aws_runs_7d", aws_runs),
        ("semantic_aws_last_end_ts", aws_last_end),
        ("semantic_both_runs_7d_ge_aws", both_ge_aws),
    ]


def run_ui(url: str, opts: SmokeOptions) -> ContractReport:
    probe = Probe(url, opts.token, opts.timeout_s)
    try:
        return run_contract("ui", url, ui_checks(probe, opts))
    finally:
        probe.close()
