"""Sources configuration mistakes as system checks (ids ct.E001, ct.E002, ct.W003)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .sources import parse as parse_sources


@register()
def check_sources(app_configs=None, **kwargs):
    """CT_SOURCES is `name=url,name=url` (or AWS_BASE/AZURE_BASE): parsed by the one parser."""
    parsed = parse_sources(settings.CT_SOURCES, settings.AWS_BASE, settings.AZURE_BASE)
    return [(Warning if p.warning else Error)(p.message, hint=p.hint, id=p.id) for p in parsed.problems]
