"""Governance tests reuse the telemetry fixtures (DuckDB and Snowflake-via-fakesnow)."""

from pipelines_app.tests.conftest import NOW, fakesnow_server, telemetry, warehouse  # noqa: F401
