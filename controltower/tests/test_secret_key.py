"""An install without SECRET_KEY (outside production) generates its own once, in its data
directory: private, kept across restarts, one key however many of its processes start at once
(how settings use it: test_settings.py)."""

import multiprocessing
import stat
from pathlib import Path

import pytest

from controltower.secret_key import MIN_LENGTH, SecretKeyFileError, install_secret_key

STARTERS = 8


def test_a_new_key_is_private_and_kept(tmp_path):
    path = tmp_path / "secret_key"
    key = install_secret_key(path)
    assert len(key) >= MIN_LENGTH and len(set(key)) > 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert install_secret_key(path) == key  # the next start reads it
    assert install_secret_key(tmp_path / "elsewhere") != key  # another install has its own
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "secret_key"]  # no leftovers


def _start(path: str, barrier, keys) -> None:
    barrier.wait()  # every process looks for the file at the same moment
    keys.put(install_secret_key(Path(path)))


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    ctx = multiprocessing.get_context("fork")
    barrier, keys = ctx.Barrier(STARTERS), ctx.Queue()
    procs = [ctx.Process(target=_start, args=(str(path), barrier, keys)) for _ in range(STARTERS)]
    for proc in procs:
        proc.start()
    found = {keys.get(timeout=60) for _ in procs}
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert found == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


@pytest.mark.parametrize("content", ["", "short\n"])
def test_an_unusable_key_file_is_refused_by_name(tmp_path, content):
    path = tmp_path / "secret_key"
    path.write_text(content)
    with pytest.raises(SecretKeyFileError, match=f"{path} holds no usable secret key"):
        install_secret_key(path)
