from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from controltower import tokens
from controltower.accounts import ensure_user
from controltower.models import ApiToken
from controltower.roles import ROLES, SCOPES


class Command(BaseCommand):
    help = (
        "Create (or update) a user with a role and print a new API token (keys are stored hashed: "
        "shown once). Also issues scoped or expiring tokens, lists and revokes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=ROLES, help="Create or update the user with this role.")
        parser.add_argument("--password", help="Set a password for the admin / pages login (optional).")
        parser.add_argument(
            "--rotate-token", action="store_true", help="Revoke the user's default token and issue a new one."
        )
        parser.add_argument(
            "--service",
            action="store_true",
            help="A control tier's service account on a source: may act for the people it names.",
        )
        parser.add_argument(
            "--new-token", metavar="NAME", help="Issue another token with this name (e.g. a producer's)."
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=sorted(SCOPES),
            default=[],
            help="Limit --new-token to this scope (repeatable); without, it acts with the user's role.",
        )
        parser.add_argument("--expires-in-days", type=int, help="--new-token expires after this many days.")
        parser.add_argument("--revoke", metavar="NAME", help="Revoke the user's live tokens of this name.")
        parser.add_argument("--revoke-all", action="store_true", help="Revoke every live token of the user.")
        parser.add_argument("--list", action="store_true", help="List the user's tokens (never their keys).")

    def handle(self, username, role=None, **options):
        expires = self._expiry(options["expires_in_days"])  # every mistake refused before any change
        if (options["scope"] or expires) and not options["new_token"]:
            raise CommandError("--scope and --expires-in-days apply to a token issued with --new-token NAME.")
        needs_role = [
            f"--{o.replace('_', '-')}" for o in ("password", "rotate_token", "service") if options[o]
        ]
        if needs_role and not role:
            raise CommandError(f"{', '.join(needs_role)} need --role (the user's role is set with them).")
        if role:
            self._ensure(username, role, options)
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}; create them with --role.")
        if options["new_token"]:
            try:
                _, key = tokens.issue(
                    user, name=options["new_token"], scopes=options["scope"], expires_at=expires
                )
            except ValueError as exc:
                raise CommandError(str(exc))
            scope = " ".join(options["scope"]) or "the user's role"
            self.stderr.write(f"token {options['new_token']!r} issued ({scope}); it is shown once:")
            self.stdout.write(key)
        if options["revoke"] or options["revoke_all"]:
            chosen = (
                user.api_tokens.all()
                if options["revoke_all"]
                else user.api_tokens.filter(name=options["revoke"])
            )
            self.stderr.write(f"revoked {tokens.revoke(chosen)} token(s) of {username}")
        if options["list"]:
            for t in ApiToken.objects.filter(user=user):
                until = t.expires_at.isoformat(timespec="minutes") if t.expires_at else "no expiry"
                self.stdout.write(
                    f"{t.selector}…  {t.name:<20} {t.scopes or 'role':<14} {t.state:<8} {until}"
                )

    def _ensure(self, username: str, role: str, options: dict) -> None:
        if options["rotate_token"]:
            tokens.revoke(ApiToken.objects.filter(user__username=username, name="default"))
        try:
            user, key = ensure_user(username, role, password=options["password"], service=options["service"])
        except ValueError as exc:
            raise CommandError(str(exc))
        kind = " (service account)" if options["service"] else ""
        self.stderr.write(f"user {user.username} has role {role}{kind}")
        if key:
            self.stdout.write(key)
        else:
            self.stderr.write(
                "their token is unchanged (keys are shown only when issued; --rotate-token for a new one)"
            )

    @staticmethod
    def _expiry(days: int | None):
        if days is None:
            return None
        if days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        return timezone.now() + timedelta(days=days)
