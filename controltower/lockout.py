"""The answer to a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE, settings "Sign-in
lockout"): a page saying when to try again, as a 429 with Retry-After, on the admin's and the ops
pages' sign-in alike."""

import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    # Every refused try restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it
    # runs from this request's attempt.
    until = (getattr(request, "axes_attempt_time", None) or timezone.now()) + get_cool_off(request)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "until": until,
        "minutes": math.ceil(seconds / 60),
    }
    response = render(request, "auth/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
