"""The pages' kept answers (aggregate_app/pages/kept.py): a page served again within the window
asks no source, says how old its data is, is refreshed in the background once older, and never
keeps a degraded answer."""

import re
import threading

import pytest

from aggregate_app.pages import kept

from .test_pages_views import ASSIGN, page, pages_sources, signed_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.CT_PAGE_DATA_SECONDS, settings.CT_PAGE_DATA_MAX_AGE_S = 60, 600
    kept.forget_all()
    yield
    kept.forget_all()


def test_the_overview_again_within_the_window_asks_no_source_and_says_as_of_when(page, pages_sources):  # noqa: F811
    first = page("?view=overview")
    asked = len(pages_sources["aws"].calls("/api/summary"))
    again = page("?view=overview")
    assert len(pages_sources["aws"].calls("/api/summary")) == asked
    assert re.search(r'data-testid="data-as-of"[^>]*>Data as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC', again)
    assert "orders_<wbr>ingest" in first and "orders_<wbr>ingest" in again


@pytest.mark.parametrize("view", ["governance", "policy"])
def test_the_governance_pages_again_within_the_window_ask_no_source(page, pages_sources, view):  # noqa: F811
    page(f"?view={view}")
    answered = [r for r in pages_sources["aws"].requests if r.path in pages_sources["aws"].routes]
    again = page(f"?view={view}")
    assert [r for r in pages_sources["aws"].requests if r.path in pages_sources["aws"].routes] == answered
    assert 'data-testid="data-as-of"' in again


def test_a_policy_change_posted_on_the_page_drops_the_kept_answers(pages_sources, governance_admin):  # noqa: F811
    pages_sources["aws"].reply(ASSIGN, {"scope": "team", "target_id": "ore", "profile": "strict"})
    client = signed_in(governance_admin)
    client.get("/?view=policy")
    asked = len(pages_sources["aws"].calls("/api/policies/effective"))
    form = {"action": "assign", "source": "aws", "scope": "team", "target_id": "ore", "profile": "strict",
            "reason": "ore is critical now"}  # fmt: skip
    assert client.post("/?view=policy", form).status_code == 302
    client.get("/?view=policy")
    assert len(pages_sources["aws"].calls("/api/policies/effective")) > asked  # read afresh after the write


def test_a_degraded_answer_is_not_kept(page, pages_sources):  # noqa: F811
    pages_sources["azure"].routes.pop("/api/costs/trend")
    assert 'data-testid="capability-banner"' in page("?view=costs")
    pages_sources["azure"].routes["/api/costs/trend"] = pages_sources["aws"].routes["/api/costs/trend"]
    assert 'data-testid="capability-banner"' not in page("?view=costs")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    tick = Clock()
    monkeypatch.setattr(kept.time, "monotonic", tick)
    return tick


def test_an_answer_is_served_fresh_then_stale_while_one_refresh_runs_then_fetched_in_the_request(clock):
    answers, started, release = iter(["a1", "a2", "a3"]), threading.Event(), threading.Event()

    def fetch():
        answer = next(answers)
        if answer == "a2":  # the background refresh
            started.set()
            release.wait(5)
        return answer

    def read():
        return kept.read(("k",), fetch, lambda a: True)

    assert read() == "a1"
    clock.now += 59
    assert read() == "a1"  # fresh: not fetched again
    clock.now += 2
    assert read() == "a1" and started.wait(5)  # stale: served, refreshed in the background
    assert read() == "a1"  # one refresh at a time; the kept answer meanwhile
    release.set()
    for _ in range(100):
        if read() == "a2":
            break
        threading.Event().wait(0.02)
    assert read() == "a2"
    clock.now += 601  # past the longest a kept answer is served: fetched in the request
    assert read() == "a3"


def test_an_answer_not_to_keep_is_fetched_each_time(clock):
    answers = iter(["bad1", "bad2"])
    assert kept.read(("k",), lambda: next(answers), lambda a: False) == "bad1"
    assert kept.read(("k",), lambda: next(answers), lambda a: False) == "bad2"


def test_a_page_leaves_the_answers_it_keeps_as_the_sources_gave_them(page):  # noqa: F811
    """Kept answers are shared by every request: a page links and sorts copies, so a request with
    other parameters never sees (or races on) links made for another."""
    for view in ("overview", "incidents", "costs", "policy", "governance&gov_drilldown=sla_pressure"):
        page(f"?view={view}")
    kept_rows = [
        row
        for _, answer in list(kept._entries.values())
        if hasattr(answer, "body")
        for row in [*(answer.body.get("items") or []), *(answer.body.get("rows") or [])]
        if isinstance(row, dict)
    ]
    assert kept_rows and not [row for row in kept_rows if "links" in row]
