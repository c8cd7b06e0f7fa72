"""A small telemetry builder: tests insert exactly the rows they assert on."""

from datetime import date, datetime, timedelta

from pipelines_app import data_version, run_state
from pipelines_app.warehouse import Warehouse

PIPELINE_DEFAULTS = {
    "pipeline_name": None,
    "namespace": None,
    "team": "team-a",
    "domain": "finance",
    "owner": "owner@example.com",
    "criticality": "medium",
    "platform": "airflow",
    "schedule": "0 * * * *",
    "expected_interval_minutes": 60,
    "freshness_sla_minutes": 120,
    "max_duration_minutes": 30,
    "runbook_url": None,
    "tags": "",
    "is_active": True,
    "created_ts": datetime(2026, 1, 1),
}


class Telemetry:
    """`t.pipeline("p1", team="x")`, `t.run("p1", "FAILED", start=..., minutes=5)`, `t.edge(...)`, ..."""

    def __init__(self, warehouse: Warehouse, now: datetime):
        self.wh = warehouse
        self.now = now
        self._run_seq = 0

    def pipeline(self, pipeline_id: str, **fields) -> dict:
        row = {"pipeline_id": pipeline_id, **PIPELINE_DEFAULTS, **fields}
        row["pipeline_name"] = row["pipeline_name"] or f"{pipeline_id}_job"
        self._insert("PIPELINES", row)
        return row

    def run(
        self,
        pipeline_id: str,
        status: str = "SUCCESS",
        *,
        start: datetime | None = None,
        minutes: float = 10,
        ago: timedelta | None = None,
        **fields,
    ) -> dict:
        self._run_seq += 1
        start = start or (self.now - (ago or timedelta(hours=1)))
        end = None if status == "RUNNING" else start + timedelta(minutes=minutes)
        row = {
            "run_id": fields.pop("run_id", f"{pipeline_id}-r{self._run_seq:05d}"),
            "pipeline_id": pipeline_id,
            "status": status,
            "start_ts": start,
            "end_ts": end,
            "duration_seconds": None if end is None else int(minutes * 60),
            "rows_processed": 1000,
            "error_code": None,
            "error_message": None,
            "trigger_type": "schedule",
            "attempt": 1,
            **fields,
        }
        self._insert("PIPELINE_RUNS", row)
        run_state.refresh(self.wh, [pipeline_id])  # as ingest and the demo loader do
        return row

    def dataset(self, dataset_id: str, kind: str = "table", **fields) -> dict:
        row = {
            "dataset_id": dataset_id,
            "name": fields.pop("name", dataset_id),
            "namespace": "warehouse",
            "kind": kind,
            "owner": "owner@example.com",
            "team": "team-a",
            "criticality": "medium",
            "freshness_sla_minutes": 1440,
            "last_updated_ts": self.now - timedelta(hours=1),
            **fields,
        }
        self._insert("DATASETS", row)
        return row

    def edge(self, src_id: str, src_kind: str, dst_id: str, dst_kind: str) -> None:
        self._insert(
            "LINEAGE_EDGES", {"src_id": src_id, "src_kind": src_kind, "dst_id": dst_id, "dst_kind": dst_kind}
        )
        data_version.bump(self.wh)  # as every writer of lineage does (impact's graph is kept until then)

    def cost(self, pipeline_id: str, usage_date: date, cost_aud: float, **fields) -> dict:
        self._run_seq += 1
        row = {
            "run_id": fields.pop("run_id", f"{pipeline_id}-c{self._run_seq:05d}"),
            "pipeline_id": pipeline_id,
            "usage_date": usage_date,
            "cost_aud": cost_aud,
            "credits_used": round(cost_aud / 4.0, 4),
            "warehouse_name": "TRANSFORM_WH",
            **fields,
        }
        self._insert("RUN_COSTS", row)
        return row

    def _insert(self, table: str, row: dict) -> None:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.wh.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
