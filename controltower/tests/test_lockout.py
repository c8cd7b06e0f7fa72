"""Password guessing on the sign-in pages (django-axes): after CT_LOGIN_FAILURE_LIMIT wrong passwords
from one address for one username, that pair is refused, right password included, with a 429 page
saying when to try again, until the cool-off has passed or an administrator lifts the lock. The
same username from another address still signs in."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.test import Client

from testsupport.personas import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "gina-pass-123"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    user = make_user("gina", "governance_admin")
    user.is_staff = True
    user.save()
    return user


def sign_in(url: str, password: str, *, forwarded_for: str | None = None) -> requests.Response:
    """What a browser does: fetch the admin's sign-in form, post it back with its CSRF token."""
    browser = requests.Session()
    if forwarded_for:
        browser.headers["X-Forwarded-For"] = forwarded_for
    form = browser.get(f"{url}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = {"username": "gina", "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    return browser.post(f"{url}/admin/login/", data=data, allow_redirects=False, timeout=30)


def signed_in(answer: requests.Response) -> bool:
    return answer.status_code == 302 and answer.headers["Location"] == "/admin/"


def assert_locked_out(answer: requests.Response, minutes: int = 15) -> None:
    assert answer.status_code == 429, answer.text[:300]
    assert answer.headers["Retry-After"] == str(minutes * 60)
    assert "Sign-in is locked" in answer.text
    assert f"in {minutes} minutes" in answer.text


def test_wrong_passwords_lock_the_pair_out_even_for_the_right_password(live_server, staff, clock):
    for _ in range(4):
        answer = sign_in(live_server.url, "guess")
        assert answer.status_code == 200 and "correct username and password" in answer.text
    assert_locked_out(sign_in(live_server.url, "guess"))  # the fifth wrong password locks

    locked = sign_in(live_server.url, PASSWORD)
    assert_locked_out(locked)
    until = (T0 + timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M")
    assert f"{until} UTC" in locked.text

    clock.shift(timedelta(minutes=14))
    assert_locked_out(sign_in(live_server.url, PASSWORD))
    clock.shift(timedelta(minutes=2))
    assert_locked_out(sign_in(live_server.url, PASSWORD))  # each refused try started the wait again
    clock.shift(timedelta(minutes=15, seconds=1))
    assert signed_in(sign_in(live_server.url, PASSWORD))


def test_an_administrator_lifts_the_lock_before_the_cool_off(live_server, staff, clock):
    for _ in range(5):
        sign_in(live_server.url, "guess")
    assert_locked_out(sign_in(live_server.url, PASSWORD))
    call_command("axes_reset_username", "gina")
    assert signed_in(sign_in(live_server.url, PASSWORD))


def test_the_same_username_from_another_address_still_signs_in(live_server, staff, clock, settings):
    settings.CT_NUM_PROXIES = 1  # behind one proxy, which appends the client's address
    for _ in range(5):
        sign_in(live_server.url, "guess", forwarded_for="203.0.113.9")
    assert_locked_out(sign_in(live_server.url, PASSWORD, forwarded_for="203.0.113.9"))
    assert signed_in(sign_in(live_server.url, PASSWORD, forwarded_for="198.51.100.7:51234"))


def test_a_forged_forwarded_for_does_not_escape_the_lock(live_server, staff, clock):
    """Without a proxy in front (CT_NUM_PROXIES=0), X-Forwarded-For is the client's own words."""
    for attempt in range(5):
        sign_in(live_server.url, "guess", forwarded_for=f"203.0.113.{attempt}")
    assert_locked_out(sign_in(live_server.url, PASSWORD, forwarded_for="198.51.100.7"))


def test_the_limit_and_cool_off_are_settings(live_server, staff, clock, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    assert sign_in(live_server.url, "guess").status_code == 200
    assert_locked_out(sign_in(live_server.url, "guess"), minutes=3)
    clock.shift(timedelta(minutes=3, seconds=1))
    assert signed_in(sign_in(live_server.url, PASSWORD))


def test_the_ops_pages_sign_in_locks_alike(control_tier, staff, clock):
    browser = Client()
    for _ in range(4):
        assert browser.post("/login/", {"username": "gina", "password": "guess"}).status_code == 200
    answer = browser.post("/login/", {"username": "gina", "password": PASSWORD})
    assert answer.status_code == 302  # four wrong passwords: the right one still signs in, and clears them
    browser = Client()
    for _ in range(5):
        answer = browser.post("/login/", {"username": "gina", "password": "guess"})
    assert answer.status_code == 429 and answer["Retry-After"] == "900"
    assert browser.post("/login/", {"username": "gina", "password": PASSWORD}).status_code == 429
