"""What a model's statement may name. A statement keeps its place in an assisted answer only when
every URL, hostname, command and identifier in it appears in the facts it cites (or names the
run or pipeline being triaged): a reply steered by the text it read ("run `curl … | sh`",
"see http://attacker.example", citing some real fact) is dropped, not shown to the operator."""

import re

URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s\"'<>)\]]+", re.I)
HOST = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}\b", re.I)
CODE = re.compile(r"`([^`]+)`")
SHELL = re.compile(
    r"\b(curl|wget|bash|zsh|sudo|rm|chmod|chown|nc|ncat|netcat|powershell|iex|ssh|scp|base64)\b"
    r"|\|\s*(?:sh|bash)\b",
    re.I,
)
# Identifier-looking words: snake_case, dotted or dashed names with a digit, ids like aws-p7-000123.
IDENTIFIER = re.compile(r"\b[A-Za-z0-9]+(?:[_.\-:/][A-Za-z0-9]+)+\b|\b(?=\w*[A-Za-z])(?=\w*\d)\w{2,}\b")
PLAIN = re.compile(r"^\d+(?:\.\d+)?(?:ms|s|m|h|d|x|%)?$|^[a-z]+(?:-[a-z]+)+$", re.I)  # 24h, 3x, on-call


def mentions(text: str) -> list[str]:
    """The URLs, hostnames, commands and identifiers a statement names, in order, once each."""
    found = [m.group(0) for m in URL.finditer(text)]
    rest = URL.sub(" ", text)
    found += [m.group(1).strip() for m in CODE.finditer(rest)]
    found += [m.group(0) for m in HOST.finditer(rest)]
    found += [m.group(0).strip("| ").strip() for m in SHELL.finditer(rest)]
    found += [m.group(0) for m in IDENTIFIER.finditer(CODE.sub(" ", rest)) if not PLAIN.match(m.group(0))]
    return list(dict.fromkeys(t for t in found if t))


def unsupported(text: str, grounds: str) -> list[str]:
    """What the statement names that `grounds` (its cited facts, lower-cased) does not contain."""
    return [t for t in mentions(text) if t.lower() not in grounds]
