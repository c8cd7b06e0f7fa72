"""Confidence of a deterministic answer: the rule's base confidence, raised when the match was
specific (code and message both matched; a rule written for this system), lowered for every fact
group that could not be read. `confidence_reason` spells out each step."""

from .rules import Match

BOTH_MATCHED_BONUS = 0.05
SYSTEM_SPECIFIC_BONUS = 0.05
MISSING_PENALTY = {"run": 0.15, "pipeline": 0.10, "history": 0.05, "impact": 0.05, "cost": 0.02}
FLOOR, CEILING = 0.05, 0.99


def _match_part(match: Match) -> tuple[float, list[str]]:
    if match.rule is None:
        return match.base_confidence, [
            f"no rule applied ({match.category}), base {match.base_confidence:.2f}"
        ]
    value = match.base_confidence
    if not match.matched_on:
        return value, [f"only the catch-all rule '{match.rule_name}' matched, base {value:.2f}"]
    parts = [f"rule '{match.rule_name}' matched on {' and '.join(match.matched_on)}, base {value:.2f}"]
    if "error_message" in match.matched_on and len(match.matched_on) > 1:
        value += BOTH_MATCHED_BONUS
        parts.append(f"code and message both matched +{BOTH_MATCHED_BONUS:.2f}")
    if match.system_specific:
        value += SYSTEM_SPECIFIC_BONUS
        parts.append(f"rule specific to {', '.join(match.rule.source_systems)} +{SYSTEM_SPECIFIC_BONUS:.2f}")
    return value, parts


def score(match: Match, missing: list[str]) -> tuple[float, str]:
    """(confidence in [0.05, 0.99], the reason as one sentence)."""
    value, parts = _match_part(match)
    for group in dict.fromkeys(missing):
        penalty = MISSING_PENALTY.get(group, 0.0)
        value -= penalty
        parts.append(f"{group} facts missing -{penalty:.2f}")
    if not missing:
        parts.append("facts complete")
    value = round(min(CEILING, max(FLOOR, value)), 2)
    return value, "; ".join(parts) + "."
