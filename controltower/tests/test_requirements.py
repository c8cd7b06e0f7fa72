"""The runtime requirements (requirements.txt, the image's requirements.lock) hold what the web,
worker and beat processes import; tooling lives in requirements-dev.txt. The locks agree with the
files they are generated from (`make lock`)."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a deployed container runs: the apps, manage.py, gunicorn's config and the deploy scripts.
RUNTIME = [
    "controltower",
    "aggregate_app",
    "alerting_app",
    "governance_app",
    "pipelines_app",
    "triage_app",
    "deploy/scripts",
]
LOCAL = {p.name for p in ROOT.iterdir() if p.is_dir()} | {p.stem for p in ROOT.glob("*.py")}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(name: str) -> dict[str, str]:
    """{package: version} of a requirements or lock file, following `-r`."""
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.startswith("-r "):
            found |= pins(line.split(maxsplit=1)[1])
        elif match := PIN.match(line):
            found[canonical(match[1])] = match[2]
    return found


def runtime_files() -> list[Path]:
    files = [ROOT / "manage.py", ROOT / "gunicorn.conf.py"]
    for top in RUNTIME:
        files += [p for p in (ROOT / top).rglob("*.py") if "tests" not in p.relative_to(ROOT).parts]
    return files


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_locks_pin_what_the_requirement_files_pin():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    stale = {
        lock: {pkg: ver for pkg, ver in pins(source).items() if locked.get(pkg) != ver}
        for source, lock, locked in [
            ("requirements.txt", "requirements.lock", runtime),
            ("requirements-dev.txt", "requirements-dev.lock", dev),
        ]
    }
    assert stale == {"requirements.lock": {}, "requirements-dev.lock": {}}, "run `make lock`"
    assert {pkg: dev.get(pkg) for pkg in runtime} == runtime  # tests run the runtime's versions


def test_runtime_modules_import_only_runtime_packages():
    runtime = pins("requirements.lock")
    distributions = packages_distributions()
    outside = {}
    for path in runtime_files():
        for module in imports(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names:
                continue
            if top in LOCAL:
                if ".tests" in f".{module}" or top in ("testsupport", "conftest"):
                    outside[f"{path.relative_to(ROOT)}: {module}"] = "test support"
                continue
            dists = {canonical(d) for d in distributions.get(top, [])}
            if not dists & runtime.keys():
                outside[f"{path.relative_to(ROOT)}: {module}"] = sorted(dists) or "not installed"
    assert outside == {}
