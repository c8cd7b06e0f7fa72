"""`{% load ops %}`: template helpers for the ops pages: links that keep (or change) the URL state,
and formats."""

import re
from datetime import datetime

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from aggregate_app.pages.state import goto as goto_url
from pipelines_app import links

register = template.Library()

EMPTY = "—"  # what every page shows for a missing value (never "None")
# Where a long identifier may wrap: after a separator, so `duplicate_key` never breaks inside a word.
BREAK_AFTER = re.compile(r"([_./:\-]+)")


@register.simple_tag(takes_context=True)
def here(context, **changes) -> str:
    """This view's URL with `changes` applied: {% here ov_sort='team' ov_page=None %}."""
    return context["state"].url(**changes)


@register.simple_tag
def goto(view: str, **params) -> str:
    """Another view with only `params`: {% goto 'triage' tri_team=row.team %}."""
    return goto_url(view, **params)


@register.filter
def web_url(value) -> str:
    """The value when it may be a link (an http(s) URL with a host), else "": no `javascript:`
    or `data:` URL from a producer becomes an href."""
    return links.web_url(value if isinstance(value, str) else None) or ""


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def aud(value) -> str:
    if not isinstance(value, int | float):
        return EMPTY
    return f"A${value:,.2f}"


@register.filter
def pct(value, digits: int = 1) -> str:
    """A ratio (0..1) as a percentage."""
    if not isinstance(value, int | float):
        return EMPTY
    return f"{100 * value:.{digits}f}%"


@register.filter
def num(value) -> str:
    if isinstance(value, bool) or value is None or value == "":
        return str(value) if isinstance(value, bool) else EMPTY
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return str(value)


@register.filter
def ts(value) -> str:
    """An ISO 8601 timestamp as 'YYYY-MM-DD HH:MM' (UTC)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if not value:
        return EMPTY
    text = str(value).replace("T", " ").replace("Z", "")
    return text[:16]


BAD = set("failed breached fail sev1 high critical drift unmanaged missing open degraded".split())
BAD |= set("rejected expired overdue down f d".split())
WARN = set("at_risk sev2 medium aborted invalid_format proposed incomplete running due_soon".split())
WARN |= set("half_open not_found unsupported c in_progress".split())
GOOD = set("success ok pass configured consistent approved closed remediated a b true".split())


@register.filter
def tone(value) -> str:
    """A badge tone for a status word."""
    word = str(value or "").lower()
    for tone_name, words in (("bad", BAD), ("warn", WARN), ("good", GOOD)):
        if word in words:
            return tone_name
    return "neutral"


@register.filter
def label(value) -> str:
    return str(value or "").replace("_", " ")


@register.simple_tag(takes_context=True)
def keep_state(context, *names) -> str:
    """Hidden inputs carrying this view's state into a GET form, except the fields the form shows
    (`names`) and paging (a new filter starts at page 1)."""
    from django.utils.html import format_html, format_html_join

    query = context["state"].query()
    kept = [(k, v) for k, v in query.items() if k not in names and not k.endswith("_page")]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', kept) or format_html("")


@register.filter
def words(value: str) -> list[str]:
    return str(value).split()


@register.filter
def plain(value) -> str:
    """Lists joined, booleans as yes/no, None as a dash."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


@register.filter
def minutes(value) -> str:
    """A duration in minutes, in the unit a person reads fastest."""
    if not isinstance(value, int | float):
        return EMPTY
    if value < 120:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


@register.filter
def dash(value):
    """The value, or a dash when it is missing (None or empty): never the word "None"."""
    return EMPTY if value is None or value == "" else value


@register.filter
def wrap(value) -> str:
    """An identifier or name that may wrap at its separators (`_ . / : -`) rather than mid-word,
    or a dash when missing."""
    if value is None or value == "":
        return EMPTY
    parts = BREAK_AFTER.split(str(value))
    return mark_safe("".join(conditional_escape(t) + ("<wbr>" if i % 2 else "") for i, t in enumerate(parts)))


@register.filter
def without_code(message, code) -> str:
    """An error message without the error code it starts with (Snowflake writes "002003 (42S02):
    …" and the code is shown beside it), so the code reads once."""
    text, code = str(message or ""), str(code or "")
    if code and text.startswith(code):
        text = text[len(code) :].lstrip(" :-")
    return text
