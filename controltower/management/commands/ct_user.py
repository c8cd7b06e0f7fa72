from django.core.management.base import BaseCommand, CommandError

from controltower.accounts import ensure_user
from controltower.roles import ROLES


class Command(BaseCommand):
    help = "Create (or update) a user with a role, and print their API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--password", help="Set a password for the admin / pages login (optional).")
        parser.add_argument("--rotate-token", action="store_true", help="Replace the user's token.")
        parser.add_argument(
            "--service",
            action="store_true",
            help="A control tier's service account on a source: may name the person it acts for.",
        )

    def handle(self, username, role, password=None, rotate_token=False, service=False, **options):
        if rotate_token:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user__username=username).delete()
        try:
            user, token = ensure_user(username, role, password=password, service=service)
        except ValueError as exc:
            raise CommandError(str(exc))
        self.stderr.write(f"user {user.username} has role {role}{' (service account)' if service else ''}")
        self.stdout.write(token.key)
