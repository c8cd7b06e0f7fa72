"""The demo generator: deterministic, the same rows on both backends, and a realistic estate."""

import io
from collections import deque
from datetime import timedelta

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipelines_app.demo import DemoDataExists, load_demo
from pipelines_app.demo.catalog import CORE
from pipelines_app.demo.estate import Pipeline, build_estate
from pipelines_app.demo.lineage import title_words
from pipelines_app.ingest import datasets as ol
from pipelines_app.warehouse.duckdb_backend import DuckDBWarehouse
from pipelines_app.warehouse.snowflake_backend import SnowflakeWarehouse
from testsupport.warehouse import NOW, fakesnow_config

SMALL = {"pipelines": 12, "days": 2}  # the Snowflake emulator inserts ~250 rows/s
FINGERPRINT = [
    """SELECT COUNT(*) AS n, MAX(pipeline_id) AS top, SUM(max_duration_minutes) AS m, COUNT(runbook_url) AS rb
       FROM PIPELINES""",
    """SELECT COUNT(*) AS n, SUM(duration_seconds) AS d, SUM(rows_processed) AS r, COUNT(end_ts) AS ended,
              MIN(start_ts) AS first_start, MAX(start_ts) AS last_start, SUM(LENGTH(error_message)) AS msg,
              COUNT(DISTINCT error_code) AS codes FROM PIPELINE_RUNS""",
    "SELECT COUNT(*) AS n, MIN(last_updated_ts) AS oldest, SUM(freshness_sla_minutes) AS sla FROM DATASETS",
    "SELECT COUNT(*) AS n, COUNT(DISTINCT src_id) AS srcs FROM LINEAGE_EDGES",
    "SELECT COUNT(*) AS n, ROUND(SUM(cost_aud), 2) AS aud, MAX(usage_date) AS latest FROM RUN_COSTS",
]


def fingerprint(wh) -> list[dict]:
    return [wh.fetch_one(sql) for sql in FINGERPRINT]


def snowflake_wh(kw: dict, database: str) -> SnowflakeWarehouse:
    config = fakesnow_config(kw, database)
    return SnowflakeWarehouse(config, timeout_s=30)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, fakesnow_server):
    """One small aws estate (same seed, same clock) loaded into each backend, once per module."""
    duck = DuckDBWarehouse(tmp_path_factory.mktemp("demo") / "telemetry.duckdb")
    snow = snowflake_wh(fakesnow_server, "CT_DEMO_PROPS")
    both = {"duckdb": (duck, load_demo(duck, "aws", now=NOW, seed=7, **SMALL))}
    both["snowflake"] = (snow, load_demo(snow, "aws", now=NOW, seed=7, **SMALL))
    yield both
    duck.close()
    snow.close()


@pytest.fixture(params=["duckdb", "snowflake"])
def demo(request, loaded):
    return loaded[request.param]


def test_load_report_matches_the_warehouse(demo):
    wh, report = demo
    for table, n in report.rows.items():
        assert wh.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")["n"] == n > 0
    rows = wh.fetch_all("SELECT pipeline_id, namespace FROM PIPELINES")
    core = {f"p{i}" for i in range(1, 6)}  # a third of 12, the spine at least
    own = {f"aws-p{i}" for i in range(61, 68)}  # numbered after the full core's p1..p60
    assert {r["pipeline_id"] for r in rows} == core | own
    assert all(
        r["namespace"] == ("airflow://bhp-platform" if r["pipeline_id"] in core else "airflow://bhp-aws")
        for r in rows
    )


def test_p2_runs_every_five_minutes_with_a_last_end(demo):
    """Over 2 days that is ~576 runs; the full 35-day estate's >1000 in 7 days is asserted below."""
    wh, _ = demo
    row = wh.fetch_one(
        """SELECT COUNT(*) AS runs, MAX(r.end_ts) AS last_end, MAX(p.expected_interval_minutes) AS every
           FROM PIPELINE_RUNS r JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
           WHERE r.pipeline_id = 'p2'"""
    )
    assert row["every"] == 5 and row["runs"] >= 0.97 * SMALL["days"] * 288
    assert NOW - timedelta(minutes=15) <= row["last_end"] <= NOW


def test_running_runs_have_no_end(demo):
    wh, _ = demo
    rows = wh.fetch_all(
        "SELECT end_ts, duration_seconds, start_ts FROM PIPELINE_RUNS WHERE status = 'RUNNING'"
    )
    assert rows and all(r["end_ts"] is None and r["duration_seconds"] is None for r in rows)
    assert all(r["start_ts"] <= NOW for r in rows)
    assert (
        wh.fetch_one("SELECT COUNT(*) AS n FROM PIPELINE_RUNS WHERE status <> 'RUNNING' AND end_ts IS NULL")[
            "n"
        ]
        == 0
    )


def test_failures_carry_realistic_errors(demo):
    wh, _ = demo
    codes = {
        r["error_code"]
        for r in wh.fetch_all("SELECT DISTINCT error_code FROM PIPELINE_RUNS WHERE status = 'FAILED'")
    }
    assert len(codes) >= 6 and {"000630", "002003"} & codes
    sample = wh.fetch_one("SELECT error_message FROM PIPELINE_RUNS WHERE error_code = '000630' LIMIT 1")
    assert sample is None or "timeout" in sample["error_message"]
    assert (
        wh.fetch_one(
            "SELECT COUNT(*) AS n FROM PIPELINE_RUNS WHERE status = 'FAILED' AND error_code IS NULL"
        )["n"]
        == 0
    )


def test_late_and_long_runs_exist(demo):
    wh, _ = demo
    late = wh.fetch_one(
        """SELECT COUNT(*) AS n FROM PIPELINE_RUNS r JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
           WHERE DATEDIFF('second', r.nominal_ts, r.start_ts) > p.expected_interval_minutes * 60 * 0.3"""
    )
    long = wh.fetch_one(
        """SELECT COUNT(*) AS n FROM PIPELINE_RUNS r JOIN PIPELINES p ON p.pipeline_id = r.pipeline_id
           WHERE r.duration_seconds > p.max_duration_minutes * 60"""
    )
    assert late["n"] > 0 and long["n"] > 0


def test_stale_datasets_exist(demo):
    wh, _ = demo
    rows = wh.fetch_all("SELECT dataset_id, freshness_sla_minutes, last_updated_ts FROM DATASETS")
    stale = [r for r in rows if NOW - r["last_updated_ts"] > timedelta(minutes=r["freshness_sla_minutes"])]
    assert stale and len(stale) < len(rows)


def test_latest_day_has_cost_anomalies(demo):
    wh, report = demo
    rows = wh.fetch_all("SELECT pipeline_id, usage_date, cost_aud FROM RUN_COSTS")
    latest = max(r["usage_date"] for r in rows)
    spiking = set()
    for pid in {r["pipeline_id"] for r in rows}:
        before = [r["cost_aud"] for r in rows if r["pipeline_id"] == pid and r["usage_date"] < latest]
        today = [r["cost_aud"] for r in rows if r["pipeline_id"] == pid and r["usage_date"] == latest]
        if before and today and today[0] > 3 * sum(before) / len(before):
            spiking.add(pid)
    assert len(report.anomalies) >= 3 and set(report.anomalies) <= spiking


def test_lineage_is_deep_and_ends_in_consumer_assets(demo):
    wh, _ = demo
    edges = wh.fetch_all("SELECT src_id, dst_id FROM LINEAGE_EDGES")
    kinds = {r["dataset_id"]: r["kind"] for r in wh.fetch_all("SELECT dataset_id, kind FROM DATASETS")}
    assert (
        {"dashboard", "table"} <= set(kinds.values()) <= {"table", "view", "dashboard", "report", "ml_model"}
    )
    down: dict[str, list[str]] = {}
    for e in edges:
        down.setdefault(e["src_id"], []).append(e["dst_id"])
    hops, queue = {"p2": 0}, deque(["p2"])  # pipelines passed on the way
    while queue:
        node = queue.popleft()
        for nxt in down.get(node, []):
            if nxt not in hops:
                hops[nxt] = hops[node] + (1 if nxt not in kinds else 0)
                queue.append(nxt)
    dashboards = [n for n in hops if kinds.get(n) == "dashboard"]
    assert dashboards and max(hops[d] for d in dashboards) >= 3


def test_tables_carry_a_schema_and_column_lineage_from_their_writers_inputs(demo):
    wh, _ = demo
    facets = wh.fetch_all("SELECT dataset_id, facet, value FROM DATASET_FACETS")
    tables = {
        r["dataset_id"]: r for r in wh.fetch_all("SELECT * FROM DATASETS WHERE kind IN ('table', 'view')")
    }
    schemas = {r["dataset_id"]: r for r in facets if r["facet"] == "schema"}
    assert set(schemas) == set(tables)
    assert [
        f["name"] for f in ol.schema_fields({"schema": orjson.loads(next(iter(schemas.values()))["value"])})
    ][:2] == [
        "id",
        "business_date",
    ]
    edges = wh.fetch_all(
        "SELECT e.src_id AS input, o.dst_id AS output FROM LINEAGE_EDGES e JOIN LINEAGE_EDGES o "
        "ON o.src_id = e.dst_id AND o.src_kind = 'pipeline' WHERE e.src_kind = 'dataset'"
    )
    fed_by = {(e["output"], e["input"]) for e in edges}
    lineage = [r for r in facets if r["facet"] == "columnLineage"]
    assert lineage
    for row in lineage:
        inputs = ol.column_inputs({"columnLineage": orjson.loads(row["value"])})["amount_aud"]
        named = {(tables[i]["namespace"], tables[i]["name"]): i for i in tables}
        assert {(row["dataset_id"], named[(u["namespace"], u["name"])]) for u in inputs} <= fed_by


def test_runbooks_missing_and_invalid(demo):
    wh, _ = demo
    urls = [r["runbook_url"] for r in wh.fetch_all("SELECT runbook_url FROM PIPELINES")]
    assert any(u is None for u in urls)
    assert any(u is not None and not u.startswith("https://") for u in urls)
    assert sum(1 for u in urls if u and u.startswith("https://")) > len(urls) / 2


# -- two clouds: a shared core, and each cloud's own -----------------------------------------------

IDENTITY = (
    "pipeline_id, pipeline_name, namespace, team, domain, owner, criticality, platform, schedule, "
    "runbook_url, tags, is_active"
)
CORE_EDGES = """SELECT src_id, dst_id FROM LINEAGE_EDGES
    WHERE src_id IN (SELECT pipeline_id FROM PIPELINES WHERE namespace = 'airflow://bhp-platform')
       OR dst_id IN (SELECT pipeline_id FROM PIPELINES WHERE namespace = 'airflow://bhp-platform')"""


@pytest.fixture(scope="module")
def clouds(tmp_path_factory):
    """Both sources' estates (same seed and size), each in its own warehouse as deployed."""
    base = tmp_path_factory.mktemp("clouds")
    both = {}
    for source in ("aws", "azure"):
        both[source] = DuckDBWarehouse(base / f"{source}.duckdb")
        load_demo(both[source], source, now=NOW, seed=0, pipelines=30, days=3)
    yield both
    for wh in both.values():
        wh.close()


def by_id(clouds: dict, sql: str, key: str) -> tuple[dict, dict]:
    """(aws, azure): each cloud's rows of `sql` by `key`."""
    return tuple({r[key]: r for r in clouds[s].fetch_all(sql)} for s in ("aws", "azure"))


def test_the_core_is_the_same_pipeline_in_both_clouds(clouds):
    aws, azure = by_id(clouds, f"SELECT {IDENTITY} FROM PIPELINES", "pipeline_id")
    shared = aws.keys() & azure.keys()
    assert shared == {f"p{i}" for i in range(1, 11)}  # a third of 30
    assert all(aws[i] == azure[i] for i in shared)
    assert {aws[i]["namespace"] for i in shared} == {"airflow://bhp-platform"}
    assert {p["namespace"] for i, p in aws.items() if i not in shared} == {"airflow://bhp-aws"}
    assert {p["namespace"] for i, p in azure.items() if i not in shared} == {"adf://bhp-azure"}
    assert all(i.startswith("aws-p") for i in aws.keys() - shared)
    assert all(i.startswith("azure-p") for i in azure.keys() - shared)


def test_each_cloud_runs_the_core_its_own_way(clouds):
    aws, azure = by_id(
        clouds,
        """SELECT pipeline_id, COUNT(*) AS runs, SUM(duration_seconds) AS busy, MIN(run_id) AS first
           FROM PIPELINE_RUNS GROUP BY pipeline_id""",
        "pipeline_id",
    )
    assert aws["p2"]["runs"] >= 0.97 * 3 * 288 and azure["p2"]["runs"] >= 0.97 * 3 * 288
    assert (aws["p2"]["first"], azure["p2"]["first"]) == ("aws-p2-000001", "azure-p2-000001")
    assert sum(aws[f"p{i}"]["busy"] != azure[f"p{i}"]["busy"] for i in range(1, 11)) >= 8
    runs = [{r["run_id"] for r in wh.fetch_all("SELECT run_id FROM PIPELINE_RUNS")} for wh in clouds.values()]
    assert not runs[0] & runs[1]


def test_datasets_in_both_clouds_are_the_cores(clouds):
    aws, azure = by_id(clouds, "SELECT dataset_id, name, namespace, kind FROM DATASETS", "dataset_id")
    edges = [{(e["src_id"], e["dst_id"]) for e in wh.fetch_all(CORE_EDGES)} for wh in clouds.values()]
    assert edges[0] == edges[1]  # the core reads and writes the same datasets in both clouds
    core_datasets = {node for edge in edges[0] for node in edge if node in aws}
    shared = aws.keys() & azure.keys()
    assert shared == core_datasets and all(aws[d] == azure[d] for d in shared)
    assert all(d.startswith(("aws.", "src.")) for d in aws.keys() - shared)
    assert all(d.startswith(("azure.", "src.")) for d in azure.keys() - shared)
    for cloud in (aws, azure):  # one dataset, one id: no (namespace, name) twice
        assert len({(d["namespace"], d["name"]) for d in cloud.values()}) == len(cloud)
    bi = [{d["namespace"] for d in c.values() if d["kind"] in ("dashboard", "report")} for c in (aws, azure)]
    assert bi == [{"tableau://bhp-aws"}, {"powerbi://bhp-azure"}]


def test_the_core_is_the_same_whatever_the_source_and_size():
    def core(source: str, days: int = 35, **size) -> dict:
        estate = build_estate(source, seed=0, now=NOW, days=days, **size)
        return {
            p.pipeline_id: ([getattr(p, col) for col in Pipeline.TABLE_COLUMNS], p.inputs, p.outputs)
            for p in estate.pipelines
            if p.namespace == CORE.pipeline_namespace
        }

    full = core("aws")
    assert list(full) == [f"p{i}" for i in range(1, 61)]
    sizes = ({}, {"pipelines": 12}, {"runs_target": 80_000}, {"pipelines": 40, "days": 8})
    for source, size in zip(("azure", "aws", "azure", "aws"), sizes, strict=True):
        part = core(source, **size)
        assert part and part == {i: full[i] for i in part}


# -- determinism ----------------------------------------------------------------------------------


def test_same_seed_same_rows_on_both_backends(loaded):
    assert fingerprint(loaded["snowflake"][0]) == fingerprint(loaded["duckdb"][0])


def test_reload_is_deterministic_and_the_seed_matters(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "a.duckdb")
    load_demo(wh, "azure", now=NOW, seed=3, pipelines=40, days=8)
    first = fingerprint(wh)
    with pytest.raises(DemoDataExists):
        load_demo(wh, "azure", now=NOW, seed=3, pipelines=40, days=8)
    load_demo(wh, "azure", now=NOW, seed=3, pipelines=40, days=8, replace=True)
    assert fingerprint(wh) == first
    load_demo(wh, "azure", now=NOW, seed=4, pipelines=40, days=8, replace=True)
    assert fingerprint(wh) != first
    wh.close()


def test_default_aws_estate_on_duckdb(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "full.duckdb")
    report = load_demo(wh, "aws", now=NOW, seed=0)
    assert report.rows["PIPELINES"] == 300 and report.rows["PIPELINE_RUNS"] > 200_000
    p2 = wh.fetch_one(
        "SELECT COUNT(*) AS n FROM PIPELINE_RUNS WHERE pipeline_id = 'p2' AND start_ts >= ?",
        [NOW - timedelta(days=7)],
    )
    assert p2["n"] > 1000
    kinds = {r["kind"] for r in wh.fetch_all("SELECT DISTINCT kind FROM DATASETS")}
    assert kinds == {"table", "view", "dashboard", "report", "ml_model"}
    aws_teams = {r["team"] for r in wh.fetch_all("SELECT DISTINCT team FROM PIPELINES")}
    load_demo(wh, "azure", now=NOW, seed=0, replace=True)
    azure = wh.fetch_one("SELECT COUNT(*) AS n FROM PIPELINES")["n"]
    azure_teams = {r["team"] for r in wh.fetch_all("SELECT DISTINCT team FROM PIPELINES")}
    assert azure == 220 and azure_teams != aws_teams
    wh.close()


def test_runs_target_grows_the_estate(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "big.duckdb")
    report = load_demo(wh, "aws", now=NOW, seed=0, days=5, runs=60_000)
    assert 0.9 * 60_000 <= report.rows["PIPELINE_RUNS"] <= 1.1 * 60_000
    assert report.rows["PIPELINES"] > 300 / 35 * 5
    ids = {r["pipeline_id"] for r in wh.fetch_all("SELECT pipeline_id FROM PIPELINES")}
    own = {f"aws-p{n}" for n in range(61, 61 + report.rows["PIPELINES"] - 60)}
    assert ids == {f"p{n}" for n in range(1, 61)} | own  # the core first, then the cloud's own
    wh.close()


# -- commands -------------------------------------------------------------------------------------


@pytest.mark.django_db  # both commands write governance's SLA assignments into SLA_ASSIGNMENTS
def test_commands_init_and_load_on_the_configured_warehouse(warehouse, time_machine):
    time_machine.move_to(NOW)
    out = io.StringIO()
    call_command("warehouse_init", stdout=out)
    assert "created: nothing" in out.getvalue() and "already present: PIPELINES" in out.getvalue()
    assert "SLA_ASSIGNMENTS: 0 assignment(s) from governance" in out.getvalue()
    out = io.StringIO()
    call_command("load_demo", "--source", "azure", "--pipelines", "1", "--days", "2", stdout=out)
    text = out.getvalue()
    assert "PIPELINE_RUNS:" in text and "rows/s" in text and "(100%)" in text
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINES")["n"] == 1
    first, last = warehouse.fetch_all("SELECT MIN(start_ts) AS a, MAX(start_ts) AS b FROM PIPELINE_RUNS")[
        0
    ].values()
    assert NOW - timedelta(days=2) <= first < last <= NOW
    with pytest.raises(CommandError, match="--replace"):
        call_command(
            "load_demo", "--source", "azure", "--pipelines", "1", "--days", "2", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="--days"):
        call_command("load_demo", "--source", "aws", "--days", "0", stdout=io.StringIO())


def test_consumer_labels_keep_acronyms_whole():
    assert title_words("drill_logs shift_kpis") == "Drill Logs Shift KPIs"  # not "Shift Kpis"
    assert title_words("assay_results sla") == "Assay Results SLA"
