"""The sources registry: which deployments the control tier fans out to.

`CT_SOURCES` is `name=url,name=url` (e.g. `aws=https://aws.example.com,azure=https://…`). When it
is empty, `AWS_BASE` / `AZURE_BASE` are the two-source shorthand for `aws=…,azure=…`; when both
are set, `CT_SOURCES` wins (the check ct.W003 says so). Each source's service token comes from
`CT_SOURCE_<NAME>_TOKEN` (or a file named by `CT_SOURCE_<NAME>_TOKEN_FILE`), name upper-cased
with `-` as `_`. `parse()` is the one parser: the system check (aggregate_app/checks.py) and the
runtime registry both use it.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from controltower.api.errors import ApiError

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
SELECT_ALL = ("both", "all")  # `both` means every source, as `all` does (kept for two-source clients)


@dataclass(frozen=True)
class Source:
    name: str
    url: str  # scheme://host[:port][/prefix], no trailing slash
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Problem:
    """A configuration mistake, reported by the system check with this id."""

    id: str
    message: str
    hint: str
    warning: bool = False


@dataclass(frozen=True)
class Parsed:
    entries: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]


def _entries(raw: str, aws_base: str, azure_base: str) -> tuple[list[str], list[Problem]]:
    if raw.strip():
        problems = []
        if aws_base or azure_base:
            problems.append(
                Problem(
                    "ct.W003",
                    "CT_SOURCES is set, so AWS_BASE / AZURE_BASE are ignored.",
                    "Keep one form: list every source in CT_SOURCES, or use only AWS_BASE/AZURE_BASE.",
                    warning=True,
                )
            )
        return [p.strip() for p in raw.split(",") if p.strip()], problems
    shorthand = [f"aws={aws_base.strip()}"] if aws_base.strip() else []
    shorthand += [f"azure={azure_base.strip()}"] if azure_base.strip() else []
    return shorthand, []


def parse(raw: str, aws_base: str = "", azure_base: str = "") -> Parsed:
    """Parse the configuration into ordered (name, url) pairs plus every problem found."""
    items, problems = _entries(raw, aws_base, azure_base)
    entries: list[tuple[str, str]] = []
    for item in items:
        name, sep, url = item.partition("=")
        name, url = name.strip().lower(), url.strip().rstrip("/")
        if not sep or not NAME.match(name) or not _is_http_url(url):
            problems.append(
                Problem(
                    "ct.E002",
                    f"CT_SOURCES entry {item!r} is not name=http(s)://host.",
                    "Example: aws=https://aws.example.com (names: lower-case letters, digits, - and _).",
                )
            )
        elif name in SELECT_ALL:
            problems.append(
                Problem(
                    "ct.E002",
                    f"{name!r} cannot name a source: source={name} selects every source.",
                    "Rename it.",
                )
            )
        elif any(name == seen for seen, _ in entries):
            problems.append(
                Problem(
                    "ct.E001", f"CT_SOURCES names the source {name!r} twice.", "Give each source one entry."
                )
            )
        else:
            entries.append((name, url))
    return Parsed(tuple(entries), tuple(problems))


def _is_http_url(url: str) -> bool:
    parsed = urlsplit(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def token_for(name: str) -> str:
    var = f"CT_SOURCE_{name.upper().replace('-', '_')}_TOKEN"
    if os.environ.get(var):
        return os.environ[var].strip()
    path = os.environ.get(f"{var}_FILE")
    return Path(path).read_text().strip() if path else ""


def configured() -> list[Source]:
    """The valid sources, in configuration order (invalid entries are left to the system check)."""
    parsed = parse(settings.CT_SOURCES, settings.AWS_BASE, settings.AZURE_BASE)
    return [Source(name, url, token_for(name)) for name, url in parsed.entries]


def names() -> list[str]:
    return [s.name for s in configured()]


def select(source_param: str | None, *, required: bool = False, single: bool = False) -> list[Source]:
    """The sources `source=` selects: a name, `both` / `all` (every source; the default unless
    `required`). Anything else is a 400 that names the valid choices."""
    sources = configured()
    if not sources:
        raise ApiError(
            503,
            "sources_not_configured",
            "This deployment has no sources to fan out to: set CT_SOURCES (or AWS_BASE / AZURE_BASE).",
        )
    valid = [s.name for s in sources]
    raw = (source_param or "").strip().lower()
    if not raw and required:
        raise _bad_source(source_param, valid, single, "'source' is required here")
    if single and raw in ("", *SELECT_ALL):
        raise _bad_source(source_param, valid, single, "this endpoint pages one source at a time")
    if raw in ("", *SELECT_ALL):
        return sources
    match = [s for s in sources if s.name == raw]
    if not match:
        raise _bad_source(source_param, valid, single, f"unknown source {str(source_param)[:40]!r}")
    return match


def _bad_source(raw, valid: list[str], single: bool, why: str) -> ApiError:
    choices = valid if single else [*valid, *SELECT_ALL]
    return ApiError(
        400,
        "invalid_parameter",
        f"{why}: 'source' must be one of {', '.join(choices)}.",
        {"parameter": "source", "choices": choices, "got": raw},
    )
