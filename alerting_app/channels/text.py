"""Words shared by the adapters: the state a transition announces, the facts every message
lists, the members it hits, and cutting text to a vendor's limit."""

from alerting_app.channels.base import Message, Transition

STATES = {
    Transition.TRIGGER: "Triggered",
    Transition.UPDATE: "Still open",
    Transition.ACKNOWLEDGE: "Acknowledged",
    Transition.RESOLVE: "Resolved",
}
SEVERITIES = ("critical", "error", "warning", "info")
MEMBERS_SHOWN = 10


def state(message: Message) -> str:
    return STATES.get(message.transition, message.transition.capitalize())


def severity(message: Message) -> str:
    """One of the four severities every vendor knows; anything else counts as an error."""
    return message.severity if message.severity in SEVERITIES else "error"


def cut(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(message: Message) -> str:
    return f"{state(message)}: {message.title}"


def facts(message: Message) -> list[tuple[str, str]]:
    """(label, value) pairs, the standard ones first, then the message's own facts."""
    rows = [
        ("Severity", severity(message)),
        ("Source", message.source),
        ("Subject", message.subject),
        ("Team", message.team or ""),
        ("Occurrences", str(message.count)),
        ("Opened", message.opened_at.isoformat()),
        ("Last seen", message.last_seen_at.isoformat()),
    ]
    rows += [(str(k), str(v)) for k, v in message.facts.items()]
    return [(label, value) for label, value in rows if value]


def member_lines(message: Message, limit: int = MEMBERS_SHOWN) -> list[str]:
    """One line per member hit, at most `limit`, then how many more."""
    lines = [f"{m.kind.replace('_', ' ')}: {m.name} ({m.source})" for m in message.members[:limit]]
    if len(message.members) > limit:
        lines.append(f"… and {len(message.members) - limit} more")
    return lines
