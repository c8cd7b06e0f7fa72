from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pipelines_app import data_version, sla_assignments
from pipelines_app.demo import DemoDataExists, load_demo
from pipelines_app.demo.catalog import PROFILES
from pipelines_app.warehouse import WarehouseUnavailable, get_warehouse


class Command(BaseCommand):
    help = (
        "Load deterministic demo telemetry for one source into the configured warehouse: pipelines, "
        "runs ending now, datasets and lineage, daily costs with anomalies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, choices=sorted(PROFILES))
        parser.add_argument(
            "--pipelines",
            type=int,
            help="Pipelines in the estate (default: aws 300, azure 220): the core p1..p60 that both clouds "
            "run (a third of a smaller estate), then the cloud's own (aws-p61.., azure-p61..).",
        )
        parser.add_argument(
            "--days", type=int, default=35, help="Days of run history ending now (default 35)."
        )
        parser.add_argument(
            "--runs",
            type=int,
            help="Total runs to aim for (the core, then the cloud's own pipelines; overrides --pipelines).",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--replace", action="store_true", help="Delete existing telemetry first.")

    def handle(self, source, pipelines, days, runs, seed, replace, **options):
        for name, value in (("--pipelines", pipelines), ("--days", days), ("--runs", runs)):
            if value is not None and value < 1:
                raise CommandError(f"{name} must be at least 1")
        now = timezone.now().replace(tzinfo=None, microsecond=0)
        try:
            warehouse = get_warehouse()
            self.stdout.write(
                f"loading demo telemetry for {source} (seed {seed}) into {warehouse.describe()}"
            )
            size = {"pipelines": pipelines, "days": days, "runs": runs}
            with data_version.bumped():  # a load that stops half-way changed telemetry too
                report = load_demo(
                    warehouse, source, now=now, seed=seed, replace=replace, progress=self.progress, **size
                )
                assigned = sla_assignments.sync_report(warehouse)  # the profiles governance assigns, for SQL
        except (WarehouseUnavailable, DemoDataExists) as exc:
            raise CommandError(getattr(exc, "message", str(exc)))
        self.stdout.write(assigned)
        counts = ", ".join(f"{table} {n:,}" for table, n in report.rows.items())
        self.stdout.write(f"loaded {counts} in {report.seconds:.1f}s (now = {now:%Y-%m-%d %H:%M} UTC)")
        shown = ", ".join(report.anomalies[:10]) + (
            f" and {len(report.anomalies) - 10} more" if len(report.anomalies) > 10 else ""
        )
        self.stdout.write(f"cost anomalies injected on the latest day: {shown or 'none'}")

    def progress(self, table: str, done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds > 0 else 0
        self.stdout.write(
            f"  {table}: {done:,}/{total:,} ({100 * done // max(total, 1)}%) {rate:,.0f} rows/s"
        )
