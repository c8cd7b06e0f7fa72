import time

from django.core.management.base import BaseCommand, CommandError

from pipelines_app import data_version, run_state
from pipelines_app.warehouse import WarehouseUnavailable, get_warehouse


class Command(BaseCommand):
    help = (
        "Rebuild the run rollups (PIPELINE_RUN_STATE, PIPELINE_RUN_DAYS) from PIPELINE_RUNS. Ingest and "
        "load_demo keep them current; run this after anything else writes PIPELINE_RUNS."
    )

    def add_arguments(self, parser):
        parser.add_argument("pipeline_ids", nargs="*", help="Only these pipelines (default: every one).")

    def handle(self, pipeline_ids, **options):
        started = time.monotonic()
        try:
            warehouse = get_warehouse()
            self.stdout.write(f"refreshing run state in {warehouse.describe()}")
            with data_version.bumped():
                run_state.refresh(warehouse, pipeline_ids or None)
            rows = warehouse.fetch_one("SELECT COUNT(*) AS n FROM PIPELINE_RUN_STATE")["n"]
        except WarehouseUnavailable as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"run state: {rows:,} pipelines in {time.monotonic() - started:.1f}s")
