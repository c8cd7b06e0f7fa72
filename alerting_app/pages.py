"""The Alerts page on the control tier: live alerts grouped by root cause (members under their
root), each with its notifications and their delivery; recently resolved ones below. Live alerts
read as a work queue: worst severity first, then the roots that hit most, then the most recently
seen; paged. Operators acknowledge, snooze and resolve from it (session + CSRF), through the same
audited verbs as the API."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from aggregate_app.pages.views import page_chrome
from controltower.roles import OPERATOR, has_role

from . import actions
from .choices import LIVE_STATES, Severity, State
from .models import AlertIncident, Notification

URL = "/ops/alerts/"
PAGE_SIZE = 50
RECENT = timedelta(hours=24)
SNOOZE_CHOICES = (("1", "1 hour"), ("4", "4 hours"), ("24", "1 day"))
DONE = {"acknowledge": "acknowledged", "snooze": "snoozed", "resolve": "resolved"}


def _signed_in(request) -> bool:
    return request.user.is_authenticated or settings.CT_PUBLIC_READ


def _roots(rows):
    members = Prefetch("members", queryset=AlertIncident.objects.order_by("kind", "subject"))
    notes = Prefetch("notifications", queryset=Notification.objects.order_by("created_at", "pk"))
    return rows.filter(root__isnull=True).prefetch_related(members, notes)


def _queue(rows):
    """Worst severity first, then the roots with most grouped under them, then the latest seen."""
    rank = Case(
        *(When(severity=s, then=Value(i)) for i, s in enumerate(Severity.values)),
        default=Value(len(Severity.values)),
        output_field=IntegerField(),
    )
    ordered = rows.annotate(severity_rank=rank, grouped=Count("members"))
    return ordered.order_by("severity_rank", "-grouped", "-last_seen_at", "-pk")


def _page(request, total: int) -> dict:
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        page = 1
    return {
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_SIZE + 1 if total else 0,
        "last": min(page * PAGE_SIZE, total),
        "total": total,
        "prev": f"{URL}?page={page - 1}" if page > 1 else None,
        "next": f"{URL}?page={page + 1}" if page < pages else None,
        "slice": slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
    }


@require_GET
def alerts(request):
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path(), reverse("ops-login"))
    live = _roots(AlertIncident.objects.filter(state__in=LIVE_STATES))
    pager = _page(request, live.count())
    recent = _roots(
        AlertIncident.objects.filter(state=State.RESOLVED, resolved_at__gte=timezone.now() - RECENT)
    ).order_by("-resolved_at", "-pk")
    context = page_chrome(request, URL) | {
        "title": "Alerts",
        "live": _queue(live)[pager["slice"]],
        "live_pager": pager,
        "recent": recent[:50],
        "can_act": has_role(request.user, OPERATOR),
        "snooze_choices": SNOOZE_CHOICES,
    }
    return render(request, "alerts/alerts.html", context)


@require_GET
def alert(request, alert_id: int):
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path(), reverse("ops-login"))
    incident = _roots(AlertIncident.objects.filter(pk=alert_id)).first() or _member(alert_id)
    context = page_chrome(request, URL) | {
        "title": f"Alert {incident.pk}",
        "incident": incident,
        "events": incident.events.order_by("at", "pk"),
        "can_act": has_role(request.user, OPERATOR),
        "snooze_choices": SNOOZE_CHOICES,
    }
    return render(request, "alerts/alert.html", context)


def _member(alert_id: int) -> AlertIncident:
    incident = AlertIncident.objects.filter(pk=alert_id).first()
    if incident is None:
        raise Http404("No such alert.")
    return incident


@require_POST
def act(request, alert_id: int, verb: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("ops-login"))
    if not has_role(request.user, OPERATOR):
        raise PermissionDenied("Acknowledging, snoozing and resolving need the operator role.")
    incident = _member(alert_id)
    actor, reason = request.user.get_username(), (request.POST.get("reason") or "").strip()[:500]
    try:
        if verb == "acknowledge":
            actions.acknowledge(incident, actor=actor, reason=reason)
        elif verb == "snooze":
            hours = dict(SNOOZE_CHOICES).get(request.POST.get("hours", ""))
            until = parse_datetime(request.POST.get("until") or "") if not hours else None
            if until is None and hours is None:
                raise actions.AlertStateError("Choose how long to snooze.")
            until = until or timezone.now() + timedelta(hours=int(request.POST["hours"]))
            actions.snooze(incident, actor=actor, reason=reason, until=until)
        elif verb == "resolve":
            actions.resolve(incident, actor=actor, reason=reason or "Resolved on the Alerts page")
        else:
            raise Http404("No such action.")
    except actions.AlertStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Alert {incident.pk} {DONE[verb]}.")
    return HttpResponseRedirect(request.POST.get("next") if _local(request.POST.get("next")) else URL)


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith("/ops/alerts/") and "//" not in url
