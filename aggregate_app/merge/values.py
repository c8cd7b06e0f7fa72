"""How two or more values of the same field combine across sources.

Numbers add unless the field name says they cannot (rates, ratios, averages, durations, window
parameters): money (`*_aud`) always adds; `max_*`/`min_*` take the max/min. Timestamps (`*_ts`,
`*_at`) take the latest (`created_*` / `first_*` the earliest). Booleans are true when any is.
Equal strings stay, differing ones become None (the per-source values stay in `by_source`).
"""

import re
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

NON_ADDITIVE_TOKENS = frozenset(
    "rate ratio pct percent percentage share score avg mean median p50 p90 p95 p99 "
    "days hours minutes seconds ms window limit offset threshold version confidence depth level".split()
)


def is_number(value: Any) -> bool:
    return type(value) in (int, float) or (isinstance(value, int | float) and not isinstance(value, bool))


@cache
def is_timestamp_key(key: str) -> bool:
    return key.endswith(("_ts", "_at")) or key in ("ts", "timestamp")


@cache
def additive(key: str) -> bool:
    if key.endswith("_aud"):
        return True
    return not (set(key.lower().split("_")) & NON_ADDITIVE_TOKENS)


def money(value: float) -> float:
    return round(value, 2)


@lru_cache(maxsize=8192)  # a page's rows repeat the same few timestamps across fields and sources
def _ts_key(value: str):
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return float("-inf")


def latest(values: list) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present, key=lambda v: (_ts_key(v), str(v)) if isinstance(v, str) else (float(v), ""))


def earliest(values: list) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return min(present, key=lambda v: (_ts_key(v), str(v)) if isinstance(v, str) else (float(v), ""))


def timestamp(key: str, values: list) -> Any:
    return earliest(values) if key.startswith(("created", "first_")) else latest(values)


def add_numbers(key: str, values: list) -> Any:
    if key.startswith("max_") or key.endswith("_max"):
        return max(values)
    if key.startswith("min_") or key.endswith("_min"):
        return min(values)
    if not additive(key):
        return values[0] if all(v == values[0] for v in values) else None
    total = sum(values)
    return money(total) if key.endswith("_aud") else total


def combine_scalars(key: str, values: list) -> Any:
    """Combine non-container values of `key` from several sources (None values are ignored)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if is_timestamp_key(key):
        return timestamp(key, present)
    if all(isinstance(v, bool) for v in present):
        return any(present)
    if all(is_number(v) for v in present):
        return add_numbers(key, present)
    return present[0] if all(v == present[0] for v in present) else None


def natural(text: str) -> tuple:
    """'p10' after 'p9': digit runs compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part
    )
