"""Governance figures across sources. Ratios, scores and grades do not add up, so they are
recomputed from the merged counts they are made of (a scorecard's `score_inputs`, a coverage's
counts, the SLA's runs and breaches) with the sources' own formulas: never averaged, never null
because the sources differ."""

from typing import Any

from governance_app.scorecards import card, trend
from governance_app.snapshot import ratio

from .lists import Page, concat, items_of
from .summary import add_up, summed


def _ratio(part: Any, whole: Any) -> float | None:
    """The sources' own ratio (governance_app.snapshot) over merged counts; a missing count is 0."""
    return ratio(part or 0, whole or 0)


def coverage(counts: Any) -> Any:
    """A runbook coverage block: `coverage_ratio` = configured / total over the merged counts."""
    if isinstance(counts, dict) and "total" in counts:
        counts = {**counts, "coverage_ratio": _ratio(counts.get("configured"), counts.get("total"))}
    return counts


def _sla(block: Any) -> Any:
    if not isinstance(block, dict) or "runs_7d" not in block:
        return block
    now = _ratio(block.get("breaches_7d"), block.get("runs_7d"))
    previous = _ratio(block.get("previous_breaches_7d"), block.get("previous_runs_7d"))
    return {
        **block,
        "breach_ratio_7d": now,
        "previous_breach_ratio_7d": previous,
        "trend": trend(now, previous),
    }


def posture(answers: dict[str, Any], page: Page | None = None) -> dict:
    """Posture across sources: counts add; score, grade and ratios from the merged counts."""
    body = summed(answers)
    inputs = body.get("score_inputs")
    if isinstance(inputs, dict) and inputs.get("pipelines"):
        estate = card("(all)", inputs)
        body.update(
            posture_score=estate["score"], grade=estate["grade"], ownership_ratio=estate["ownership_ratio"]
        )
    body["runbooks"] = coverage(body.get("runbooks"))
    body["sla"] = _sla(body.get("sla"))
    return body


def scorecards(answers: dict[str, Any], page: Page | None = None) -> dict:
    """Team scorecards: one card per team across sources, scored from the summed inputs, worst
    first; `average_score` over the merged cards."""
    groups: dict[str, list[tuple[str, dict]]] = {}
    cards = []  # a card without inputs (an older source) cannot be combined: it stays as it came
    for source, data in answers.items():
        for item in items_of(data, "items"):
            if isinstance(item, dict) and isinstance(item.get("score_inputs"), dict):
                groups.setdefault(item.get("team"), []).append((source, item))
            elif isinstance(item, dict) and isinstance(item.get("score"), int | float):
                cards.append({**item, "source": source, "sources": [source]})
    for team, entries in groups.items():
        inputs = add_up([(s, i["score_inputs"]) for s, i in entries])
        merged = card(team, inputs) if len(entries) > 1 else dict(entries[0][1])
        names = [s for s, _ in entries]
        cards.append({**merged, "sources": names, "source": names[0] if len(names) == 1 else None})
    cards.sort(key=lambda c: (c["score"], c["team"] or ""))
    average = round(sum(c["score"] for c in cards) / len(cards), 1) if cards else None
    shown = cards[page.offset : page.offset + page.limit] if page is not None and page.slice else cards
    extra = {"columns": next((d.get("columns") for d in answers.values() if isinstance(d, dict)), None)}
    envelope = {"items": shown, "total": len(cards), "average_score": average, **extra}
    if page is not None:
        envelope.update(offset=page.offset, limit=page.limit)
    return envelope


def runbooks(answers: dict[str, Any], page: Page | None = None) -> dict:
    """The runbook catalogue: entries concatenated per source; coverage from the merged counts."""
    body = concat()(answers, page)
    body["coverage"] = coverage(
        add_up([(s, d.get("coverage")) for s, d in answers.items() if isinstance(d, dict)])
    )
    return body
