"""ReDoc at /api/redoc/, offline and under the Content-Security-Policy, beside Swagger UI.

drf-spectacular-sidecar's ReDoc bundle asks three things of a page that the policy refuses or that
leave this deployment: it starts its search index in a worker made from a blob: URL (the view
allows `worker-src blob:`, on this page only); it injects <style> elements, some as soon as it
loads (webpack puts its `nonce` on them, which the bundle as served takes from its own <script>
element, given the response's nonce); and its sidebar footer always shows Redocly's logo from their
CDN (swapped for an empty local image). The bundle is served through `redoc_bundle` with those two
edits; the template keeps no inline script or style and no web-font link."""

from functools import cache

from csp.decorators import csp_update
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularRedocView

SIDECAR_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
WEBPACK_NONCE = "r.nc=void 0;"  # the webpack runtime's __webpack_nonce__, unset
OWN_NONCE = "r.nc=document.currentScript&&document.currentScript.nonce||void 0;"


@cache
def _bundle() -> bytes:
    with open(finders.find(SIDECAR_BUNDLE), "rb") as bundle:
        text = bundle.read()
    return text.replace(CDN_LOGO.encode(), NO_IMAGE.encode()).replace(
        WEBPACK_NONCE.encode(), OWN_NONCE.encode(), 1
    )


@require_safe
@cache_control(public=True, max_age=3600)
def redoc_bundle(request):
    """The sidecar's ReDoc bundle without its one request to a CDN (see the module docstring)."""
    return HttpResponse(_bundle(), content_type="text/javascript; charset=utf-8")


class RedocView(SpectacularRedocView):
    template_name = "api_docs/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("redoc-bundle")


def redoc_view(title: str):
    """The ReDoc page for a tier's schema (url name "schema"), its search worker allowed."""
    return csp_update({"worker-src": ["blob:"]})(RedocView.as_view(url_name="schema", title=title))
