"""Layers point one way: `lint-imports` (make lint) keeps the layers contract in pyproject.toml, and
fails, naming the contract and the import, when a lower layer imports a higher one."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers point one way KEPT" in result.stdout


def test_a_back_edge_breaks_the_layers(tmp_path):
    """A copy of the tree (the real config, the real packages) plus one module in pipelines_app
    that imports aggregate_app."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pipelines_app" / "backedge.py").write_text("from aggregate_app import sources  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Layers point one way BROKEN" in result.stdout
    assert "pipelines_app is not allowed to import aggregate_app" in result.stdout
    assert "pipelines_app.backedge -> aggregate_app.sources" in result.stdout
