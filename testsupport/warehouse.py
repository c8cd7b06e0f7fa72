"""Warehouse fixtures, registered once for the whole suite by the root conftest: every telemetry
test runs on DuckDB and on the Snowflake path (the real connector against a fakesnow server),
except a test marked `duckdb_only`, which never reaches warehouse SQL; `at_now` freezes time at
the builder's NOW."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from pipelines_app import queries
from pipelines_app.warehouse import get_warehouse, reset_warehouse
from testsupport import emulator
from testsupport.builders import Telemetry

NOW = datetime(2026, 11, 20, 12, 0, 0)
NOW_UTC = NOW.replace(tzinfo=UTC)

# For a test whose behaviour never reaches warehouse SQL (a request refused before any query):
# it runs once, on DuckDB; the Snowflake leg would prove nothing and build its estate on the
# emulator (~250 inserts/s) for it.
duckdb_only = pytest.mark.parametrize("warehouse", ["duckdb"], indirect=True)


def forget_cached_rows() -> None:
    """A new warehouse starts with none of the previous test's cached PIPELINES/DATASETS rows
    (queries.fetch_all_cached): an identical estate would otherwise be served from them, and a
    test counting statements would count one fewer after a test with the same estate."""
    queries._results.clear()


@pytest.fixture(scope="session")
def fakesnow_server():
    """One Snowflake emulator per test session (each test gets its own database)."""
    with emulator.serve() as kwargs:
        yield kwargs


@pytest.fixture(params=["duckdb", "snowflake"])
def warehouse(request, settings, tmp_path):
    reset_warehouse()
    forget_cached_rows()
    if request.param == "duckdb":
        settings.CT_WAREHOUSE_BACKEND = "duckdb"
        settings.CT_DUCKDB_PATH = tmp_path / "telemetry.duckdb"
    else:
        kw = request.getfixturevalue("fakesnow_server")
        settings.CT_WAREHOUSE_BACKEND = "snowflake"
        settings.SNOWFLAKE = fakesnow_config(kw, f"CT_TEST_{uuid.uuid4().hex[:8].upper()}")
    wh = get_warehouse()
    wh.create_schema()
    yield wh
    reset_warehouse()


@pytest.fixture
def telemetry(warehouse):
    return Telemetry(warehouse, NOW)


@pytest.fixture
def duckdb_warehouse(settings, tmp_path):
    """DuckDB alone, for tests whose behaviour does not depend on the warehouse or whose estate is
    too big for the Snowflake emulator (~250 inserts/s): a module overrides `warehouse` with it."""
    reset_warehouse()
    forget_cached_rows()
    settings.CT_WAREHOUSE_BACKEND = "duckdb"
    settings.CT_DUCKDB_PATH = tmp_path / "telemetry.duckdb"
    wh = get_warehouse()
    wh.create_schema()
    yield wh
    reset_warehouse()


@pytest.fixture
def at_now():
    """Time frozen at the builder's NOW."""
    with time_machine.travel(NOW_UTC, tick=False):
        yield NOW


def fakesnow_config(kw: dict, database: str) -> dict:
    """The SNOWFLAKE setting that points the real connector at the fakesnow server `kw`."""
    return {
        "account": "",
        "account_url": f"{kw['protocol']}://{kw['host']}:{kw['port']}",
        "user": kw["user"],
        "password": kw["password"],
        "private_key_pem_b64": "",
        "role": "",
        "warehouse": "",
        "database": database,
        "schema": "OBS",
    }
