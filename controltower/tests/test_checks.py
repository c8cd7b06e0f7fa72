"""Configuration mistakes surface as system checks with ids a person can look up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from controltower import checks
from testsupport.throttling import set_rates

ROOT = Path(__file__).resolve().parents[2]


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_production_needs_secret_key(settings):
    settings.PRODUCTION, settings.SECRET_KEY_FROM_ENV = True, False
    assert ids(checks.check_secret_key()) == ["ct.E003"]
    settings.SECRET_KEY_FROM_ENV = True
    assert checks.check_secret_key() == []


def test_a_throttle_rate_that_is_not_a_rate_is_named(settings):
    set_rates(settings, writes="120 per minute", ingest="")
    messages = checks.check_throttle_rates()
    assert ids(messages) == ["ct.E007"]
    assert "'writes'" in messages[0].msg and "CT_THROTTLE_WRITES" in messages[0].hint
    set_rates(settings, writes="120/min")
    assert checks.check_throttle_rates() == []


def test_public_read_in_production_warns(settings):
    settings.PRODUCTION, settings.CT_PUBLIC_READ = True, True
    assert ids(checks.check_public_read()) == ["ct.W001"]
    settings.CT_PUBLIC_READ = False
    assert checks.check_public_read() == []


def run_check(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **base,
            "CT_DATA_DIR": str(tmp_path),
            "CT_ENV": "production",
            "ALLOWED_HOSTS": "tower.example.com",
            **env,
        },
        capture_output=True,
        text=True,
    )


def test_deploy_checks_pass_with_production_settings(tmp_path):
    """`check --deploy` has nothing to say, not even a warning, about a production deployment that
    sets its key and hosts: HTTPS-only cookies, HSTS, SSL redirect, frame and CSP headers."""
    result = run_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr.upper() and "security." not in result.stderr
    assert not (tmp_path / "secret_key").exists()  # production never makes up a key


def test_deploy_checks_fail_without_secret_key(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode != 0
    assert "ct.E003" in result.stderr


def test_secret_key_from_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("f" * 20 + "-From-A-File-" + "y7" * 20 + "\n")
    assert run_check(tmp_path, SECRET_KEY_FILE=str(key_file)).returncode == 0
