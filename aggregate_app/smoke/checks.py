"""Building blocks shared by the contracts: identity, list envelopes, the summary contract, runs
pagination, finding a pipeline across pages, and the aggregate `_meta` source-health reading."""

from .probe import Probe
from .results import CheckFailed, expect

BUILD_FIELDS = ("build_id", "git_sha", "release_tag")
COST_FIELDS = ("cost_24h_aud", "cost_7d_aud", "cost_7d_daily_avg_aud")
MAX_PAGES = 50
PAGE_LIMIT = 500


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def health(probe: Probe) -> str:
    resp = probe.get("/health")
    try:
        body = resp.json()
    except ValueError:
        body = None
    answered = isinstance(body, dict) and "status" in body
    expect(answered, f"GET /health -> HTTP {resp.status_code} without a status")
    degraded = sorted(k for k, v in body.items() if isinstance(v, dict) and v.get("status") == "degraded")
    detail = f" (degraded: {', '.join(degraded)})" if degraded else ""
    expect(resp.status_code == 200 and body["status"] == "ok", f"/health status {body['status']!r}{detail}")
    return f"status ok, tier {body.get('tier', '?')}"


def build_identity(probe: Probe) -> dict:
    body = probe.json("/version")
    build = body.get("build") if isinstance(body, dict) else None
    expect(isinstance(build, dict), "/version has no build object")
    return {f: str(build.get(f) or "").strip() for f in BUILD_FIELDS}


def version(probe: Probe) -> str:
    build = build_identity(probe)
    empty = [f"build.{f}" for f in BUILD_FIELDS if not build[f]]
    expect(not empty, f"/version {', '.join(empty)} empty (stamp BUILD_ID / GIT_SHA / RELEASE_TAG)")
    return ", ".join(f"{f}={build[f]}" for f in BUILD_FIELDS)


def list_envelope(body: object, where: str) -> list:
    expect(isinstance(body, dict), f"{where}: body is not an object")
    items = body.get("items")
    expect(isinstance(items, list), f"{where}: no items array")
    missing = [k for k in ("total", "offset", "limit") if not is_number(body.get(k))]
    expect(not missing, f"{where}: list envelope lacks {', '.join(missing)}")
    return items


def summary_contract(body: object, where: str) -> str:
    expect(isinstance(body, dict), f"{where}: body is not an object")
    problems = []
    stale = body.get("stale_datasets")
    if not (is_number(stale) and stale >= 0):
        problems.append(f"stale_datasets={stale!r} (want a number >= 0)")
    if not isinstance(body.get("top_impacted_downstream_assets"), list):
        problems.append("top_impacted_downstream_assets is not an array")
    for field in COST_FIELDS:
        value = body.get(field)
        if not (is_number(value) and value >= 0):
            problems.append(f"{field}={value!r} (want a number >= 0)")
    expect(not problems, f"{where}: " + "; ".join(problems))
    return (
        f"stale_datasets={stale}, {len(body['top_impacted_downstream_assets'])} impacted assets, "
        + ", ".join(f"{f}={body[f]}" for f in COST_FIELDS)
    )


def sla_contract(body: object, pipeline_id: str, where: str) -> str:
    expect(isinstance(body, dict), f"{where}: body is not an object")
    got = body.get("pipeline_id")
    expect(got == pipeline_id, f"{where}: pipeline_id {got!r}, want {pipeline_id!r}")
    expect(body.get("status"), f"{where}: no SLA status")
    return f"{pipeline_id} SLA status {body['status']}"


def run_ids(body: object, where: str) -> set[str]:
    items = list_envelope(body, where)
    expect(all(isinstance(i, dict) and i.get("run_id") for i in items), f"{where}: an item has no run_id")
    return {str(i["run_id"]) for i in items}


def runs_pagination(probe: Probe, path: str, params: dict, size: int, check_meta=None) -> str:
    """Offset 0 and offset `size` (same limit) must give different, non-empty-first run_id sets."""
    pages = []
    for offset in (0, size):
        body = probe.json(path, {**params, "offset": offset, "limit": size})
        if check_meta:
            check_meta(body)
        pages.append(run_ids(body, f"{path} offset={offset}"))
    first, second = pages
    expect(first, f"{path}: offset=0 returned no runs")
    expect(first != second, f"{path}: offset={size} returned the same run_id set as offset=0 {sorted(first)}")
    return f"offset 0 -> {len(first)} runs, offset {size} -> {len(second)} runs, run_id sets differ"


def find_pipeline(probe: Probe, path: str, params: dict, pipeline_id: str, check_meta=None) -> list[dict]:
    """Every row of a paged pipelines list whose pipeline_id is `pipeline_id`."""
    found, offset = [], 0
    for _ in range(MAX_PAGES):
        body = probe.json(path, {**params, "offset": offset, "limit": PAGE_LIMIT})
        if check_meta:
            check_meta(body)
        items = list_envelope(body, path)
        found += [i for i in items if isinstance(i, dict) and str(i.get("pipeline_id")) == pipeline_id]
        offset += len(items)
        if not items or offset >= body["total"]:
            return found
    limit = MAX_PAGES * PAGE_LIMIT
    raise CheckFailed(f"{path}: more than {limit} pipelines; gave up looking for {pipeline_id}")


def source_health(meta: dict) -> dict[str, dict]:
    """Per-source status from `_meta`: `sources` as a mapping or a list, else top-level entries."""
    sources = meta.get("sources")
    if isinstance(sources, dict):
        return {k: v for k, v in sources.items() if isinstance(v, dict)}
    if isinstance(sources, list):
        return {str(s.get("name") or s.get("source")): s for s in sources if isinstance(s, dict)}
    return {k: v for k, v in meta.items() if isinstance(v, dict) and "ok" in v}


def meta_problems(body: object, sources: list[str] | None) -> list[str]:
    """Why an aggregate answer is degraded for `sources` (all it names when None), or []."""
    meta = body.get("_meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return ["aggregate response has no _meta"]
    health = source_health(meta)
    if not sources and not health:
        return ["_meta names no sources"]
    problems = []
    for name in sources or sorted(health):
        info = health.get(name)
        if info is None:
            ok = meta.get(f"{name}_ok")
            if ok is None:
                problems.append(f"source {name} missing from _meta")
            elif not ok:
                problems.append(f"source {name} degraded")
            continue
        if not info.get("ok"):
            why = info.get("error") or f"status {info.get('status')}"
            problems.append(f"source {name} degraded: {str(why)[:160]}")
    return problems
