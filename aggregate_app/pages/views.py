"""The ops pages' views: one page (`/?view=…`) dispatching to a builder per view, the policy
forms' POST, and the login / logout pages."""

import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from controltower.roles import highest_role

from .. import sources
from . import costs, diagnostics, governance, incidents, kept, overview, policy, triage
from .banners import banners
from .common import source_options
from .gateway import Gateway, data_as_of
from .state import VIEWS, goto, parse

BUILDERS = {
    "overview": overview.build,
    "incidents": incidents.build,
    "triage": triage.build,
    "costs": costs.build,
    "governance": governance.build,
    "policy": policy.build,
    "diagnostics": diagnostics.build,
}
# Views whose answers are read through the kept ones (kept.py): they show "Data as of".
KEPT_VIEWS = ("overview", "incidents", "costs", "governance", "policy")
TITLES = {v: v.capitalize() for v in VIEWS}
SOURCE_PARAM = {
    "overview": "ov_source",
    "incidents": "inc_source",
    "triage": "tri_source",
    "costs": "cost_source",
    "governance": "gov_source",
    "policy": "policy_source",
    "diagnostics": "diag_source",
}


@require_http_methods(["GET", "HEAD", "POST"])
def ops(request):
    if not (request.user.is_authenticated or settings.CT_PUBLIC_READ):
        return redirect_to_login(request.get_full_path(), reverse("ops-login"))
    state = parse(request.GET)
    if not sources.names():
        context = {"state": state, "nav": _nav(state), "rendered_at": timezone.now(), "render_ms": None}
        return render(request, "ops/unconfigured.html", context, status=503)
    api = Gateway(request, keep=state.view in KEPT_VIEWS and request.method != "POST")
    bound, status = None, 200
    if request.method == "POST":
        kept.forget_all()  # a form's write may change what every page shows
        if state.view != "policy" or not request.user.is_authenticated:
            return HttpResponseRedirect(state.url())
        redirect, bound = policy.post(request, state, api)
        if redirect is not None:
            return redirect
        status = 400
    started = time.monotonic()
    if state.view == "policy":
        context = policy.build(state, api, request, bound)
    else:
        context = BUILDERS[state.view](state, api, request)
    context.update(
        state=state,
        nav=_nav(state),
        title=TITLES[state.view],
        role=highest_role(request.user),
        source_switch=_source_switch(state),
        banners=banners(context.get("results") or []),
        rendered_at=timezone.now(),
        render_ms=round((time.monotonic() - started) * 1000),
    )
    if api.keep:
        as_of = data_as_of(context.get("results") or [])
        context["data_as_of"] = datetime.fromisoformat(as_of) if as_of else None
    return render(request, f"ops/{state.view}.html", context, status=status)


def _nav(state, current_url: str = "") -> list[dict]:
    """The views, then the pages other apps add (CT_OPS_EXTRA_NAV: label and url)."""
    views = [{"view": v, "label": TITLES[v], "url": goto(v), "current": v == state.view} for v in VIEWS]
    extra = [{**e, "current": e["url"] == current_url} for e in settings.CT_OPS_EXTRA_NAV]
    return [{**v, "current": v["current"] and not current_url} for v in views] + extra


def page_chrome(request, current_url: str) -> dict:
    """The ops pages' frame (nav, role, footer) for a page another app serves at `current_url`."""
    state = parse(QueryDict())
    return {
        "state": {"view": "", "url": request.get_full_path(), "notices": []},
        "nav": _nav(state, current_url),
        "role": highest_role(request.user),
        "rendered_at": timezone.now(),
    }


def _source_switch(state) -> dict:
    param = SOURCE_PARAM[state.view]
    current = "both" if state[param] == "all" else state[param]
    options = []
    for option in source_options():
        value = "both" if option["value"] == "all" else option["value"]
        pages = {p.name: None for p in state.params() if p.name.endswith("_page")}
        url = state.url(**{param: value, **pages})
        options.append({**option, "url": url, "current": value == current})
    return {"param": param, "options": options, "current": current}


def ops_path(request, view: str):
    """/ops/<view>/?… is the same page as /?view=<view>&…"""
    query = request.GET.copy()
    query["view"] = view
    return HttpResponseRedirect("/?" + query.urlencode())


class LoginView(auth_views.LoginView):
    template_name = "ops/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return "/"


class LogoutView(auth_views.LogoutView):
    next_page = "ops-login"
