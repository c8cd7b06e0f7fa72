from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pipelines_app import data_version
from pipelines_app.ingest import raw
from pipelines_app.warehouse import WarehouseUnavailable, get_warehouse


class Command(BaseCommand):
    help = (
        "Delete the OpenLineage events as received (LINEAGE_EVENTS) older than "
        "CT_LINEAGE_EVENTS_RETENTION_DAYS. Ingest does this itself about once an hour."
    )

    def handle(self, **options):
        try:
            warehouse = get_warehouse()
            with data_version.bumped():
                cutoff = raw.purge(warehouse, timezone.now().astimezone(UTC).replace(tzinfo=None))
            left = warehouse.fetch_one("SELECT COUNT(*) AS n FROM LINEAGE_EVENTS")["n"]
        except WarehouseUnavailable as exc:
            raise CommandError(exc.message)
        kept = f"received since {cutoff:%Y-%m-%d %H:%M} UTC" if cutoff else "kept forever (retention 0)"
        self.stdout.write(f"lineage events: {left:,} {kept}")
