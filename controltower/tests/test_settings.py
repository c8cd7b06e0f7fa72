"""Settings from the environment, as a fresh process reads them: each install's own secret key,
production's refusal to run without one, and how long a sign-in lasts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def settings_value(data_dir: Path, expression: str, **env: str) -> str:
    """`expression` as a fresh process with this environment evaluates it."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "CT_ENV", "SESSION_", "CT_SESSION"))
    }
    script = f"from django.conf import settings; print({expression})"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env={**base, "CT_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_each_install_signs_with_its_own_key(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    keys = [settings_value(d, "settings.SECRET_KEY") for d in (first, second, first)]
    assert keys[0] == (first / "secret_key").read_text().strip() == keys[2]
    assert keys[1] == (second / "secret_key").read_text().strip() != keys[0]
    given = settings_value(tmp_path / "three", "settings.SECRET_KEY", SECRET_KEY="x" * 60)
    assert given == "x" * 60 and not (tmp_path / "three" / "secret_key").exists()


def test_production_without_a_key_generates_none_and_will_not_serve(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY")}
    env.update(CT_DATA_DIR=str(tmp_path), CT_ENV="production", ALLOWED_HOSTS="tower.example.com")
    served = subprocess.run(
        [sys.executable, "-c", "import controltower.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert served.returncode != 0
    assert "ImproperlyConfigured: CT_ENV=production but SECRET_KEY is not set." in served.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "env, age, at_browser_close",
    [
        ({}, 8 * 3600, False),
        ({"CT_ENV": "production", "SECRET_KEY": "p" * 60}, 8 * 3600, True),
        (
            {"CT_ENV": "production", "SECRET_KEY": "p" * 60, "SESSION_EXPIRE_AT_BROWSER_CLOSE": "0"},
            8 * 3600,
            False,
        ),
        ({"CT_SESSION_AGE_S": "900"}, 900, False),
    ],
)
def test_how_long_a_sign_in_lasts(tmp_path, env, age, at_browser_close):
    shown = settings_value(
        tmp_path, "settings.SESSION_COOKIE_AGE, settings.SESSION_EXPIRE_AT_BROWSER_CLOSE", **env
    )
    assert shown == f"{age} {at_browser_close}"
