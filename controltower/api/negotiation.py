"""Content negotiation with an honest answer to an unknown `?format=`: DRF raises Http404 (as if
the route did not exist); here it is a 400 naming the formats the route renders."""

from rest_framework.negotiation import DefaultContentNegotiation

from .errors import ApiError


class StrictFormatNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get("format", None) == "":  # named but empty: DRF would ignore it
            self.filter_renderers(renderers, "")
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        found = [r for r in renderers if r.format == format]
        if not found:
            choices = sorted({r.format for r in renderers})
            raise ApiError(
                400,
                "invalid_parameter",
                f"'format' must be one of {', '.join(choices)}; got {format[:40]!r}.",
                {"parameter": "format", "choices": choices},
            )
        return found
