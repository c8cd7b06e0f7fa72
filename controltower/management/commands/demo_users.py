"""Demo users shared by every tier: the first tier to run writes the credentials file, the others
read it, so one token works on the control tier and on every source API. The file also holds the
control tier's service account, which the sources know as a `service` user."""

import json
import os
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand

from controltower.accounts import ensure_user

DEMO_USERS = (
    ("viewer", "viewer"),
    ("operator", "operator"),
    ("govadmin", "governance_admin"),
    ("govadmin2", "governance_admin"),
)
SERVICE_USER = "svc-control"


def load_or_create_credentials(path: Path) -> dict:
    data = json.loads(path.read_text()) if path.exists() else {}
    if "users" not in data:
        data["note"] = "Demo credentials only. Production users: manage.py ct_user."
        data["users"] = [
            {
                "username": u,
                "role": r,
                "password": f"demo-{secrets.token_urlsafe(8)}",
                "token": secrets.token_hex(20),
            }
            for u, r in DEMO_USERS
        ]
    data.setdefault(
        "service", {"username": SERVICE_USER, "role": "governance_admin", "token": secrets.token_hex(20)}
    )
    # Sources nudge the control tier with it when a run fails (CT_ALERT_NUDGE_TOKEN).
    data.setdefault("alert_nudge_token", secrets.token_hex(20))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(data, indent=2))
    return data


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by this user only (0600), never briefly readable by others."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
        f.write(text)


class Command(BaseCommand):
    help = (
        "Create the demo users (one per role, a second governance_admin, the control tier's service account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="Credentials JSON (created when missing).")

    def handle(self, file, **options):
        data = load_or_create_credentials(Path(file))
        for u in data["users"]:
            ensure_user(u["username"], u["role"], password=u["password"], token=u["token"])
        svc = data["service"]
        ensure_user(svc["username"], svc["role"], token=svc["token"], service=True)
        self.stdout.write(
            f"demo users ready: {', '.join(u['username'] for u in data['users'])} + {svc['username']}"
        )
