"""The warehouse layer on both backends: types, binds, schema, configuration and failure modes."""

import base64
import logging
import socket
import threading
import time
from datetime import date, datetime

import pyarrow as pa
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pipelines_app.warehouse import WarehouseUnavailable, build_warehouse, get_warehouse, reset_warehouse
from pipelines_app.warehouse.base import schema_tables
from pipelines_app.warehouse.duckdb_backend import DuckDBWarehouse
from pipelines_app.warehouse.snowflake_backend import SnowflakeWarehouse
from pipelines_app.warehouse.snowflake_config import connect_kwargs, parse_account_url

HOSTILE = [
    "'; DROP TABLE PIPELINES; --",
    "Robert'); DELETE FROM PIPELINES; --",
    "?",
    "%(name)s %s {0}",
    'quote " and \\ backslash',
    "ünïcødé ✓ 日本",
    "$$ dollar $$",
]


def test_round_trip_keeps_python_types(telemetry, warehouse):
    telemetry.pipeline("p1", expected_interval_minutes=15, is_active=False, runbook_url=None)
    telemetry.run(
        "p1", "FAILED", start=datetime(2026, 11, 20, 10, 0, 5), minutes=2.5, rows_processed=12345678901
    )
    telemetry.cost("p1", date(2026, 11, 19), 12.3456)

    p = warehouse.fetch_one("SELECT expected_interval_minutes, is_active, runbook_url FROM PIPELINES")
    assert p == {"expected_interval_minutes": 15, "is_active": False, "runbook_url": None}
    assert type(p["expected_interval_minutes"]) is int

    r = warehouse.fetch_one("SELECT start_ts, end_ts, duration_seconds, rows_processed FROM PIPELINE_RUNS")
    assert r == {
        "start_ts": datetime(2026, 11, 20, 10, 0, 5),
        "end_ts": datetime(2026, 11, 20, 10, 2, 35),
        "duration_seconds": 150,
        "rows_processed": 12345678901,
    }
    assert r["start_ts"].tzinfo is None
    assert type(r["duration_seconds"]) is int and type(r["rows_processed"]) is int

    c = warehouse.fetch_one("SELECT usage_date, cost_aud, credits_used FROM RUN_COSTS")
    assert c["usage_date"] == date(2026, 11, 19)
    assert type(c["cost_aud"]) is float and c["cost_aud"] == pytest.approx(12.3456)
    agg = warehouse.fetch_one(
        "SELECT SUM(cost_aud) AS total, AVG(cost_aud) AS mean, COUNT(*) AS n FROM RUN_COSTS"
    )
    assert (type(agg["total"]), type(agg["mean"]), type(agg["n"])) == (float, float, int)


def test_running_run_has_null_end_ts(telemetry, warehouse):
    """fakesnow used to hand NULL timestamps back as 1970-01-01 (see testsupport/emulator.py)."""
    telemetry.run("p1", "RUNNING", start=datetime(2026, 11, 20, 11, 0))
    telemetry.run("p1", "SUCCESS", start=datetime(2026, 11, 20, 9, 0))
    rows = warehouse.fetch_all(
        "SELECT status, end_ts, duration_seconds, error_code FROM PIPELINE_RUNS ORDER BY start_ts DESC"
    )
    assert rows[0] == {"status": "RUNNING", "end_ts": None, "duration_seconds": None, "error_code": None}
    assert rows[1]["end_ts"] == datetime(2026, 11, 20, 9, 10)
    mixed = warehouse.fetch_one("SELECT MAX(end_ts) AS last_end, MIN(end_ts) AS first_end FROM PIPELINE_RUNS")
    assert mixed == {"last_end": datetime(2026, 11, 20, 9, 10), "first_end": datetime(2026, 11, 20, 9, 10)}
    assert warehouse.fetch_one("SELECT CAST(NULL AS TIMESTAMP_NTZ) AS t") == {"t": None}


def test_hostile_strings_in_binds_stay_data(telemetry, warehouse):
    for i, text in enumerate(HOSTILE):
        telemetry.pipeline(f"x{i}", pipeline_name=text, team=text)
    rows = warehouse.fetch_all(
        "SELECT pipeline_name FROM PIPELINES WHERE team = ? OR team = ?", [HOSTILE[0], "?"]
    )
    assert sorted(r["pipeline_name"] for r in rows) == sorted([HOSTILE[0], "?"])
    names = [r["pipeline_name"] for r in warehouse.fetch_all("SELECT pipeline_name FROM PIPELINES")]
    assert sorted(names) == sorted(HOSTILE)


def test_create_schema_is_idempotent(warehouse):
    warehouse.create_schema()
    assert set(schema_tables()) <= warehouse.existing_tables()
    assert schema_tables() == [
        "PIPELINES",
        "PIPELINE_RUNS",
        "DATASETS",
        "LINEAGE_EDGES",
        "RUN_COSTS",
        "PIPELINE_RUN_STATE",
        "PIPELINE_RUN_DAYS",
        "LINEAGE_EVENTS",
        "LINEAGE_EVENTS_APPLIED",
        "RUN_STATES",
        "RUN_PARENTS",
        "RUN_ERRORS",
        "RUN_ASSERTIONS",
        "STREAMING_PIPELINES",
        "DATASET_FACETS",
        "DATASET_SYMLINKS",
        "CT_DATA_VERSION",
        "SLA_ASSIGNMENTS",
    ]


def test_bulk_insert_and_executemany_round_trip(warehouse):
    batch = pa.table(
        {
            "run_id": ["a", "b", "c"],
            "pipeline_id": ["p1", "p1", "p2"],
            "status": ["SUCCESS", "RUNNING", "FAILED"],
            "start_ts": pa.array([1_700_000_000_000_000, 1_700_000_060_000_000, None], pa.timestamp("us")),
            "end_ts": pa.array([1_700_000_030_000_000, None, None], pa.timestamp("us")),
            "duration_seconds": [30, None, None],
        }
    )
    warehouse.bulk_insert("PIPELINE_RUNS", batch)
    warehouse.executemany(
        "INSERT INTO PIPELINE_RUNS (run_id, pipeline_id, status) VALUES (?, ?, ?)",
        [(f"m{i}", "p3", HOSTILE[i % len(HOSTILE)]) for i in range(20)],
    )
    rows = warehouse.fetch_all(
        "SELECT run_id, end_ts FROM PIPELINE_RUNS WHERE pipeline_id <> ? ORDER BY run_id", ["p3"]
    )
    assert rows == [
        {"run_id": "a", "end_ts": datetime(2023, 11, 14, 22, 13, 50)},
        {"run_id": "b", "end_ts": None},
        {"run_id": "c", "end_ts": None},
    ]
    assert warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINE_RUNS WHERE pipeline_id = 'p3'") == {
        "n": 20
    }


def test_close_then_query_reconnects(warehouse):
    warehouse.execute("INSERT INTO LINEAGE_EDGES VALUES (?, ?, ?, ?)", ["p1", "pipeline", "d1", "dataset"])
    warehouse.close()
    assert warehouse.fetch_all("SELECT dst_id FROM LINEAGE_EDGES") == [{"dst_id": "d1"}]


def test_a_missing_schema_is_unavailable_and_names_warehouse_init(warehouse, tmp_path, settings):
    if warehouse.name == "duckdb":
        fresh = DuckDBWarehouse(tmp_path / "empty.duckdb")
    else:
        fresh = SnowflakeWarehouse({**settings.SNOWFLAKE, "database": "CT_EMPTY_DB"}, timeout_s=5)
    with pytest.raises(WarehouseUnavailable) as err:
        fresh.fetch_all("SELECT * FROM PIPELINES")
    assert "warehouse_init" in err.value.message
    assert err.value.status_code == 503
    fresh.close()


# -- DuckDB specifics ------------------------------------------------------------------------------


def test_duckdb_garbage_file_is_unavailable(tmp_path):
    path = tmp_path / "telemetry.duckdb"
    path.write_bytes(b"this is not a database\x00\xff" * 512)
    wh = DuckDBWarehouse(path)
    with pytest.raises(WarehouseUnavailable) as err:
        wh.ping()
    assert err.value.details == {"setting": "CT_DUCKDB_PATH", "backend": "duckdb"}


def test_backend_none_and_unknown_are_named(settings):
    settings.CT_WAREHOUSE_BACKEND = "none"
    with pytest.raises(WarehouseUnavailable, match="CT_WAREHOUSE_BACKEND"):
        build_warehouse()
    settings.CT_WAREHOUSE_BACKEND = "oracle"
    with pytest.raises(WarehouseUnavailable, match="CT_WAREHOUSE_BACKEND"):
        build_warehouse()


# -- Snowflake configuration -----------------------------------------------------------------------


def sf_config(**over) -> dict:
    base = {
        "account": "",
        "account_url": "",
        "user": "CT_SVC",
        "password": "",
        "private_key_pem_b64": "",
        "role": "CT_READER",
        "warehouse": "CT_WH",
        "database": "BHP_PLATFORM_LAB",
        "schema": "OBS",
    }
    return {**base, **over}


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://xy12345.ap-southeast-2.privatelink.snowflakecomputing.com",
            {
                "protocol": "https",
                "host": "xy12345.ap-southeast-2.privatelink.snowflakecomputing.com",
                "port": 443,
                "account": "xy12345",
            },
        ),
        (
            "http://127.0.0.1:8123",
            {"protocol": "http", "host": "127.0.0.1", "port": 8123, "account": "local"},
        ),
        (
            "https://localhost:9443/",
            {"protocol": "https", "host": "localhost", "port": 9443, "account": "local"},
        ),
        (
            "myorg-acct.snowflakecomputing.com",
            {
                "protocol": "https",
                "host": "myorg-acct.snowflakecomputing.com",
                "port": 443,
                "account": "myorg-acct",
            },
        ),
    ],
)
def test_account_url_honours_scheme_host_and_port(url, expected):
    assert parse_account_url(url) == expected


def test_account_identifier_alone_and_explicit_account_win():
    kw = connect_kwargs(sf_config(account="myorg-acct", password="pw"), timeout_s=7)
    assert kw["account"] == "myorg-acct" and "host" not in kw
    assert (kw["login_timeout"], kw["network_timeout"], kw["paramstyle"]) == (7, 7, "qmark")
    assert (kw["role"], kw["warehouse"], kw["database"], kw["schema"]) == (
        "CT_READER",
        "CT_WH",
        "BHP_PLATFORM_LAB",
        "OBS",
    )
    kw = connect_kwargs(
        sf_config(account="xy12345.ap-southeast-2", account_url="https://pl.example.com:8443", password="pw"),
        timeout_s=7,
    )
    assert (kw["account"], kw["host"], kw["port"]) == ("xy12345.ap-southeast-2", "pl.example.com", 8443)


@pytest.mark.parametrize(
    "over, setting",
    [
        ({"password": "pw"}, "SF_ACCOUNT_URL"),
        ({"account": "a", "user": "", "password": "pw"}, "SF_USER"),
        ({"account": "a"}, "SF_PRIVATE_KEY_PEM_B64"),
        ({"account_url": "ftp://x.example.com", "password": "pw"}, "SF_ACCOUNT_URL"),
        ({"account_url": "https://x.example.com:99999", "password": "pw"}, "SF_ACCOUNT_URL"),
    ],
)
def test_misconfiguration_names_the_setting(over, setting):
    with pytest.raises(WarehouseUnavailable) as err:
        SnowflakeWarehouse(sf_config(**over), timeout_s=2).ping()
    assert err.value.details["setting"] == setting
    assert setting in err.value.message


def pem_b64(key) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(pem).decode()


def test_key_pair_auth_loads_the_key_and_connects(fakesnow_server):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kw = fakesnow_server
    wh = SnowflakeWarehouse(
        sf_config(
            account_url=f"{kw['protocol']}://{kw['host']}:{kw['port']}",
            user=kw["user"],
            private_key_pem_b64=pem_b64(key),
            database="CT_KEYPAIR",
        ),
        timeout_s=10,
    )
    wh.create_schema()
    assert wh.fetch_one("SELECT 41 + 1 AS answer") == {"answer": 42}
    wh.close()


@pytest.mark.parametrize(
    "bad", ["not base64 at all!", base64.b64encode(b"-----BEGIN PRIVATE KEY-----\ngarbage\n").decode()]
)
def test_a_bad_private_key_names_the_setting_and_hides_it(bad):
    with pytest.raises(WarehouseUnavailable) as err:
        SnowflakeWarehouse(sf_config(account="a", private_key_pem_b64=bad), timeout_s=2).ping()
    assert err.value.details["setting"] == "SF_PRIVATE_KEY_PEM_B64"
    assert bad not in err.value.message and "garbage" not in err.value.message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_snowflake_is_unavailable_within_the_timeout(caplog):
    caplog.set_level(logging.DEBUG)
    wh = SnowflakeWarehouse(
        sf_config(account_url=f"http://127.0.0.1:{free_port()}", password="s3cret-Pa55"), timeout_s=2
    )
    started = time.monotonic()
    with pytest.raises(WarehouseUnavailable) as err:
        wh.ping()
    assert time.monotonic() - started < 10
    assert err.value.details == {"setting": "SF_ACCOUNT_URL", "backend": "snowflake"}
    assert "SF_ACCOUNT_URL" in err.value.message
    assert "s3cret-Pa55" not in err.value.message and "s3cret-Pa55" not in caplog.text


def test_a_silent_server_times_out_as_unavailable():
    """A host that accepts connections and never answers (a black-holed private link)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        wh = SnowflakeWarehouse(sf_config(account_url=f"http://127.0.0.1:{port}", password="pw"), timeout_s=2)
        started = time.monotonic()
        with pytest.raises(WarehouseUnavailable) as err:
            wh.ping()
        assert time.monotonic() - started < 15
        assert err.value.details["setting"] == "SF_ACCOUNT_URL"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_get_warehouse_reuses_one_instance(settings, tmp_path):
    reset_warehouse()
    settings.CT_WAREHOUSE_BACKEND = "duckdb"
    settings.CT_DUCKDB_PATH = tmp_path / "one.duckdb"
    try:
        assert get_warehouse() is get_warehouse()
    finally:
        reset_warehouse()
