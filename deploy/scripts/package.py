#!/usr/bin/env python3
"""Package a deployable zip and its manifest, compare with the last deployed manifest, verify.

    package.py build --src DIR --out DIR --name api [--last MANIFEST]
    package.py verify --out DIR --name api
    package.py changed --out DIR --name api --last MANIFEST   # exit 0 when files changed, 3 when not

Standard library only (runs before any virtualenv exists). The zip is deterministic: sorted
entries, fixed timestamps, so the same files give the same zip digest."""

import argparse
import hashlib
import json
import os
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

EXCLUDED_DIRS = {
    ".git", ".venv", "venv", "var", "__pycache__", ".ruff_cache", ".pytest_cache", "node_modules",
    ".github", ".ci", ".mypy_cache", "out",
}  # fmt: skip
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".sqlite3", ".duckdb", ".wal", ".log", ".zip")
EXCLUDED_NAMES = {".env", ".DS_Store"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_of(src: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS)
        for name in filenames:
            if name in EXCLUDED_NAMES or name.endswith(EXCLUDED_SUFFIXES):
                continue
            found.append(Path(dirpath, name))
    return sorted(found, key=lambda p: p.relative_to(src).as_posix())


def paths(out: Path, name: str) -> tuple[Path, Path]:
    return out / f"controltower-{name}.zip", out / f"controltower-{name}.manifest.json"


def build(src: Path, out: Path, name: str) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    zip_path, manifest_path = paths(out, name)
    files = {}
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files_of(src):
            rel = path.relative_to(src).as_posix()
            data = path.read_bytes()
            info = zipfile.ZipInfo(rel, FIXED_TIME)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
            files[rel] = sha256_bytes(data)
    manifest = {
        "name": name,
        "created_at": datetime.now(UTC).isoformat(),
        "build": {k.lower(): os.environ.get(k, "") for k in ("BUILD_ID", "GIT_SHA", "RELEASE_TAG")},
        "zip": zip_path.name,
        "zip_sha256": sha256_bytes(zip_path.read_bytes()),
        "file_count": len(files),
        "files": files,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def verify(out: Path, name: str) -> list[str]:
    """Problems found comparing the zip with its manifest ([] when they agree)."""
    zip_path, manifest_path = paths(out, name)
    manifest = json.loads(manifest_path.read_text())
    problems = []
    if sha256_bytes(zip_path.read_bytes()) != manifest["zip_sha256"]:
        problems.append("zip digest differs from the manifest")
    with zipfile.ZipFile(zip_path) as zf:
        bad = zf.testzip()
        if bad:
            problems.append(f"corrupt member {bad}")
        members = {n: sha256_bytes(zf.read(n)) for n in zf.namelist()}
    if members != manifest["files"]:
        differ = sorted(set(members.items()) ^ set(manifest["files"].items()))
        problems.append(f"{len(differ)} file entries differ, e.g. {differ[0][0]}")
    for required in ("manage.py", "controltower/settings.py", "requirements.txt", "deploy/startup.sh"):
        if required not in members:
            problems.append(f"missing {required}")
    return problems


def diff(manifest: dict, last_path: Path | None) -> dict:
    if not last_path or not last_path.is_file():
        return {"first_deploy": True, "added": len(manifest["files"]), "changed": 0, "removed": 0}
    last = json.loads(last_path.read_text())["files"]
    now = manifest["files"]
    return {
        "first_deploy": False,
        "added": len(now.keys() - last.keys()),
        "removed": len(last.keys() - now.keys()),
        "changed": sum(1 for k in now.keys() & last.keys() if now[k] != last[k]),
    }


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("action", choices=("build", "verify", "changed"))
    parser.add_argument("--src", type=Path, default=Path("."))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--last", type=Path, help="The last deployed manifest, to compare with.")
    args = parser.parse_args()
    if args.action == "build":
        manifest = build(args.src.resolve(), args.out, args.name)
        print(f"packaged {manifest['file_count']} files into {paths(args.out, args.name)[0]}")
        print(f"manifest {paths(args.out, args.name)[1]} zip_sha256={manifest['zip_sha256']}")
        return 0
    if args.action == "verify":
        problems = verify(args.out, args.name)
        for problem in problems:
            print(f"verify: {problem}", file=sys.stderr)
        print("verified: zip matches its manifest" if not problems else "verify FAILED")
        return 1 if problems else 0
    manifest = json.loads(paths(args.out, args.name)[1].read_text())
    d = diff(manifest, args.last)
    if d["first_deploy"]:
        print(f"no last deployed manifest: all {d['added']} files are new")
    else:
        print(f"vs last deployed: {d['changed']} changed, {d['added']} added, {d['removed']} removed")
    return 0 if d["first_deploy"] or d["added"] or d["removed"] or d["changed"] else 3


if __name__ == "__main__":
    sys.exit(main())
