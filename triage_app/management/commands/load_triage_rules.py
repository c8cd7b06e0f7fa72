"""Install the shipped triage rules that are missing; --reset restores shipped ones to their defaults."""

from django.core.management.base import BaseCommand

from triage_app import default_rules
from triage_app.models import TriageRule


class Command(BaseCommand):
    help = "Install missing shipped triage rules (by name); --reset also restores edited shipped rules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Overwrite shipped rules with their defaults."
        )

    def handle(self, *args, reset: bool = False, **options):
        created, updated = default_rules.install(TriageRule, overwrite=reset)
        self.stdout.write(
            f"Triage rules: {created} created, {updated} reset, {TriageRule.objects.count()} in total."
        )
