"""Public identity endpoints: /health, /version, the source API's root page and the favicon."""

import django
from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .build import build_identity
from .health import health_report


def tier() -> str:
    """This deployment's tier, as controltower/tier.py decided it (and with it the routes mounted)."""
    return settings.CT_TIER


@require_safe
def source_home(request):
    """`/` on a source: what this deployment is, and links to what it serves (public, as /health)."""
    return render(request, "source/home.html", {"source_name": settings.CT_SOURCE_NAME})


@require_safe
def favicon(request):
    """`/favicon.ico`, which browsers ask for by themselves: the vendored icon (static/ops/)."""
    return HttpResponsePermanentRedirect(static("ops/favicon.ico"))


class HealthView(APIView):
    """Liveness: the database, warehouse and broker each checked, this tier and build. No login."""

    public = True
    authentication_classes: list = []
    throttle_classes: list = []  # what load balancers and orchestrators poll: never a 429

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.ChoiceField(["ok", "degraded"]),
                "database": serializers.DictField(),
                "warehouse": serializers.DictField(),
                "broker": serializers.DictField(),
                "tier": serializers.CharField(),
                "build": serializers.DictField(),
                "checked_at": serializers.DateTimeField(),
            },
        )
    )
    def get(self, request):
        body = {**health_report(), "tier": tier(), "build": build_identity(), "checked_at": timezone.now()}
        return Response(body)


class VersionView(APIView):
    """This deployment's build: id, git commit and release tag. No login."""

    public = True
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        responses=inline_serializer(
            "Version",
            {
                "build": inline_serializer(
                    "Build",
                    {
                        "build_id": serializers.CharField(),
                        "git_sha": serializers.CharField(),
                        "release_tag": serializers.CharField(),
                    },
                ),
                "service": serializers.CharField(),
                "tier": serializers.CharField(),
                "environment": serializers.CharField(),
                "django": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "build": build_identity(),
                "service": "control-tower",
                "tier": tier(),
                "environment": settings.CT_ENV,
                "django": django.get_version(),
            }
        )
