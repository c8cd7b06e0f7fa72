"""Links that come from producers (a runbook URL in an OpenLineage facet, a warehouse row): only
an http(s) URL with a host may become a link. Anything else (`javascript:`, `data:`, a bare
path) is not a link, wherever it is stored or shown."""

from urllib.parse import urlparse

WEB_SCHEMES = ("http", "https")


def web_url(text: str | None) -> str | None:
    """The URL, trimmed, when it is an http(s) URL with a host and no whitespace; else None."""
    url = (text or "").strip()
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    parsed = urlparse(url)
    return url if parsed.scheme.lower() in WEB_SCHEMES and parsed.netloc else None
