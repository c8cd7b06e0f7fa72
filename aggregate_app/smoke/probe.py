"""A small HTTP client for smoke checks: GETs against one base URL with an optional token, turning
transport errors and unexpected statuses into a check failure that says what happened."""

import re

import requests

from .results import CheckFailed

USER_AGENT = "control-tower-smoke/1"


class Probe:
    def __init__(self, base_url: str, token: str = "", timeout_s: float = 20.0):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.unreachable = ""  # set by the first connection failure: later requests are not attempted
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    def get(self, path: str, params: dict | None = None, *, accept: str = "application/json"):
        """The response, or CheckFailed naming the transport error (never an exception of requests)."""
        if self.unreachable:
            raise CheckFailed(f"GET {path} not attempted: {self.unreachable}")
        try:
            return self.session.get(
                self.base_url + path, params=params, timeout=self.timeout_s, headers={"Accept": accept}
            )
        except requests.ConnectionError as exc:  # includes connect timeouts: the host is not answering
            self.unreachable = f"{self.base_url} unreachable ({_reason(exc)})"
            raise CheckFailed(f"GET {path} failed: {self.unreachable}") from exc
        except requests.RequestException as exc:
            raise CheckFailed(f"GET {path} failed: {type(exc).__name__}: {_reason(exc)}") from exc

    def json(self, path: str, params: dict | None = None, *, status: int = 200):
        """GET and decode JSON, failing unless the status is `status`."""
        resp = self.get(path, params)
        if resp.status_code != status:
            raise CheckFailed(f"GET {_show(path, params)} -> HTTP {resp.status_code}{_error_text(resp)}")
        try:
            return resp.json()
        except ValueError as exc:
            where = _show(path, params)
            raise CheckFailed(f"GET {where} -> HTTP {resp.status_code} but the body is not JSON") from exc

    def close(self) -> None:
        self.session.close()


def _show(path: str, params: dict | None) -> str:
    if not params:
        return path
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _error_text(resp) -> str:
    """The error envelope's code and message when there is one, else the start of the body."""
    try:
        err = resp.json().get("error") or {}
        if err:
            return f" {err.get('code', '')}: {str(err.get('message', ''))[:200]}"
    except (ValueError, AttributeError):
        pass
    text = resp.text.strip().replace("\n", " ")
    return f": {text[:120]}" if text else ""


def _reason(exc: Exception) -> str:
    """The useful part of a requests error: the OS error or the timeout, not the pool's repr."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if found:
        return found.group(1).strip()
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text.splitlines()[0][:160] if text else type(exc).__name__
