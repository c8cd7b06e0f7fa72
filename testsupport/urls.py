"""A test-only URLconf: the source API's routes plus a probe view with a sample write."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from controltower.urls.source import urlpatterns as real_urlpatterns


class ProbeInput(serializers.Serializer):
    name = serializers.CharField(max_length=20)


class ProbeView(APIView):
    def get(self, request):
        if request.query_params.get("boom"):
            raise RuntimeError("probe failure with secret-ish detail")
        return Response({"user": request.user.username or None})

    def post(self, request):
        data = ProbeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"created": data.validated_data["name"]}, status=201)


class AdminProbeView(ProbeView):
    write_role = "governance_admin"


urlpatterns = [
    path("api/_probe", ProbeView.as_view()),
    path("api/_probe/admin", AdminProbeView.as_view()),
    *real_urlpatterns,
]
handler404 = "controltower.api.errors.json_404"
handler500 = "controltower.api.errors.json_500"
