"""The SECRET_KEY of an install that sets none (outside production): generated once, kept in the
data directory, so no two checkouts share a key and restarts keep sessions.

Several processes of one install (web workers, the Celery worker and beat) start at once and may
all find no file: each writes its candidate to a private temporary file and hard-links it into
place, which succeeds for one of them and fails with FileExistsError for the others; everyone
then reads the one file. A reader never sees a half-written key."""

import os
import secrets
from pathlib import Path

MIN_LENGTH = 50  # what Django's check --deploy asks of a key (security.W009)


class SecretKeyFileError(RuntimeError):
    """The key file exists but cannot serve as a key."""


def install_secret_key(path: Path) -> str:
    """The key stored at `path`, created (mode 0600) when there is none yet."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process of this install won the race: use its key
    finally:
        candidate.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyFileError(
            f"{path} holds no usable secret key ({len(key)} characters, at least {MIN_LENGTH} needed): "
            "delete it to have a new one generated, or set SECRET_KEY."
        )
    return key
