"""Public identity endpoints: /health and /version."""

import django
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .build import build_identity
from .health import health_report


def tier() -> str:
    return "control" if (settings.CT_SOURCES or settings.AWS_BASE or settings.AZURE_BASE) else "source"


class HealthView(APIView):
    public = True
    authentication_classes: list = []

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
    public = True
    authentication_classes: list = []

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
