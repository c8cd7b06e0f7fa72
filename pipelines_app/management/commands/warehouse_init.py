from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from controltower.tier import SOURCE
from pipelines_app import data_version, run_state, sla_assignments
from pipelines_app.warehouse import WarehouseUnavailable, get_warehouse
from pipelines_app.warehouse.base import schema_tables

SCHEMA_MISSING = ("SF_DATABASE", "SF_SCHEMA")  # settings named when the schema itself is not there yet


class Command(BaseCommand):
    help = (
        "Create the telemetry schema (database, schema, tables) on the configured warehouse, and build "
        "the derived run rollups when runs exist without them. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source-tier-only",
            action="store_true",
            help="Do nothing on a control tier (it keeps no telemetry): what deploy/startup.sh runs.",
        )

    def handle(self, **options):
        if options["source_tier_only"] and settings.CT_TIER != SOURCE:
            self.stdout.write(f"{settings.CT_TIER} tier: no telemetry warehouse to initialise")
            return
        try:
            warehouse = get_warehouse()
            try:
                before = warehouse.existing_tables()
            except WarehouseUnavailable as exc:
                if exc.details.get("setting") not in SCHEMA_MISSING:
                    raise
                before = set()
            with data_version.bumped():
                warehouse.create_schema()
                after = warehouse.existing_tables()
                built = run_state.build_if_missing(warehouse, lambda line: self.stdout.write(f"  {line}"))
                assigned = sla_assignments.sync_report(warehouse)
        except WarehouseUnavailable as exc:
            raise CommandError(exc.message)
        wanted = schema_tables()
        missing = [t for t in wanted if t not in after]
        if missing:
            raise CommandError(f"tables still missing after create: {', '.join(missing)}")
        created = [t for t in wanted if t not in before]
        present = [t for t in wanted if t in before]
        self.stdout.write(f"telemetry warehouse: {warehouse.describe()}")
        self.stdout.write(f"  created: {', '.join(created) or 'nothing'}")
        self.stdout.write(f"  already present: {', '.join(present) or 'nothing'}")
        self.stdout.write(f"  {assigned}")
        if built:
            self.stdout.write("  built the run rollups from the runs already stored")
