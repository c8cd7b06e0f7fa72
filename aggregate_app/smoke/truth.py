"""The truth check: /health, /version and the UI's build banner of the deployed tiers agree with
the build we meant to deploy (BUILD_ID / GIT_SHA / RELEASE_TAG); then an artifact index."""

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from .checks import BUILD_FIELDS, build_identity, health
from .options import SmokeOptions
from .probe import Probe
from .results import ContractReport, expect
from .runner import Check, run_contract

BANNER_ATTR = re.compile(r'data-(build-id|git-sha|release-tag)\s*=\s*"([^"]*)"')
INDEX_NAMES = ("index.json", "index.md")


def agree(expected: dict, observed: dict, where: str) -> str:
    wrong = [
        f"{f} expected {expected[f]!r} got {observed.get(f)!r}"
        for f in BUILD_FIELDS
        if expected.get(f) and observed.get(f) != expected[f]
    ]
    expect(not wrong, f"{where}: " + "; ".join(wrong))
    return f"{where} agrees: " + ", ".join(f"{f}={observed.get(f)}" for f in BUILD_FIELDS if expected.get(f))


def banner_identity(html: str) -> dict:
    """Build identity from the page's banner (`data-build-id="…"` etc.)."""
    return {name.replace("-", "_"): value.strip() for name, value in BANNER_ATTR.findall(html)}


def truth_checks(api: Probe, ui: Probe, expected: dict, page: str) -> list[Check]:
    def expected_given() -> str:
        missing = [f.upper() for f in BUILD_FIELDS if not expected.get(f)]
        expect(not missing, f"no expected {', '.join(missing)} given (export them or pass --expect-*)")
        return ", ".join(f"{f}={expected[f]}" for f in BUILD_FIELDS)

    def health_agrees(probe: Probe, where: str) -> str:
        state = health(probe)
        body = probe.json("/health")
        if isinstance(body.get("build"), dict):
            return agree(expected, body["build"], f"{where} /health")
        return state

    def ui_banner() -> str:
        resp = ui.get(page, accept="text/html")
        expect(resp.status_code == 200, f"UI page {page} -> HTTP {resp.status_code}")
        shown = banner_identity(resp.text)
        expect(shown, f"UI page {page} has no build banner (data-build-id / data-git-sha / data-release-tag)")
        return agree(expected, shown, f"UI banner on {page}")

    return [
        ("truth_expected_identity", expected_given),
        ("truth_api_health", lambda: health_agrees(api, "API")),
        ("truth_api_version", lambda: agree(expected, build_identity(api), "API /version")),
        ("truth_ui_health", lambda: health_agrees(ui, "UI")),
        ("truth_ui_version", lambda: agree(expected, build_identity(ui), "UI /version")),
        ("truth_ui_build_banner", ui_banner),
    ]


def run_truth(
    api_url: str, ui_url: str, expected: dict, opts: SmokeOptions, page: str = "/"
) -> ContractReport:
    api, ui = Probe(api_url, opts.token, opts.timeout_s), Probe(ui_url, opts.token, opts.timeout_s)
    try:
        return run_contract("truth", f"api={api_url} ui={ui_url}", truth_checks(api, ui, expected, page))
    finally:
        api.close()
        ui.close()


def write_artifact_index(folder: Path, report: ContractReport, expected: dict) -> Path:
    """index.json (+ index.md) in `folder`: the expected build, the truth verdict and every smoke
    artifact already there (logs, JSON reports) with its size and sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        {"path": str(p.relative_to(folder)), "bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in INDEX_NAMES
    ]
    index = {
        "generated_at": datetime.now(UTC).isoformat(),
        "expected_build": {f: expected.get(f, "") for f in BUILD_FIELDS},
        "truth": report.to_dict(),
        "artifacts": files,
    }
    (folder / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    lines = [f"# Smoke artifacts — {report.summary()}", "", "| artifact | bytes | sha256 |", "|---|---|---|"]
    lines += [f"| {f['path']} | {f['bytes']} | `{f['sha256'][:16]}` |" for f in files]
    (folder / "index.md").write_text("\n".join(lines) + "\n")
    return folder / "index.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
