"""URL state: every ops view and its parameters live in the query string, so any view can be linked.

    ?view=governance&gov_source=both&gov_days=7&gov_drilldown=sla_pressure

The parameters each view accepts are declared in params.py. A bad value falls back to its
default and says so (a notice on the page), never a server error.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict

from .params import GLOBAL, MOVED, PARAMS, VIEWS, Param

__all__ = ["VIEWS", "PageState", "Param", "goto", "parse"]


@dataclass
class PageState:
    view: str
    values: dict[str, str]
    notices: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        """A parameter's value; other names raise KeyError, so templates fall back to attributes."""
        return self.values[name]

    def int(self, name: str) -> int:
        return int(self.values[name])

    def params(self) -> tuple[Param, ...]:
        return PARAMS[self.view] + GLOBAL

    def query(self, **changes) -> dict[str, str]:
        """The non-default parameters of this view, with `changes` applied (None or "" removes)."""
        values = {**self.values, **{k: ("" if v is None else str(v)) for k, v in changes.items()}}
        out = {"view": self.view}
        for p in self.params():
            value = values.get(p.name, "")
            if value != "" and value != p.default:
                out[p.name] = value
        return out

    def url(self, **changes) -> str:
        return "?" + urlencode(self.query(**changes))


def parse(query: QueryDict) -> PageState:
    view_raw = (query.get("view") or "overview").strip().lower()
    notices = []
    view = view_raw if view_raw in VIEWS else "overview"
    if view != view_raw:
        notices.append(f"There is no view {view_raw[:40]!r}: showing the overview.")
    given = {p.name: query.get(p.name, "") for p in PARAMS[view] + GLOBAL}
    for old, (new, moved_values) in MOVED.items():
        if old in given and given[old].strip().lower() in moved_values and not given.get(new):
            given[new], given[old] = given[old], ""
    values = {}
    for p in PARAMS[view] + GLOBAL:
        values[p.name], notice = p.parse(given[p.name])
        if notice:
            notices.append(notice)
    return PageState(view, values, notices)


def goto(view: str, **params) -> str:
    """A link to `view` with only `params` set (defaults dropped)."""
    state = PageState(view, {p.name: p.default for p in PARAMS[view] + GLOBAL})
    return state.url(**params)
