"""Links that come from producers (a runbook URL in an OpenLineage facet, a warehouse row): only
an http(s) URL with a host may become a link. Anything else (`javascript:`, `data:`, a bare
path) is not a link, wherever it is stored or shown."""

import re
from functools import lru_cache
from urllib.parse import urlparse

WEB_SCHEMES = ("http", "https")
NOT_IN_URL = re.compile(r"[\s\x00-\x1f]")  # whitespace (str.isspace's) and control characters


@lru_cache(maxsize=65_536)  # a pure function of the text; governance answers ask it of every pipeline
def web_url(text: str | None) -> str | None:
    """The URL, trimmed, when it is an http(s) URL with a host and no whitespace; else None."""
    url = (text or "").strip()
    if not url or NOT_IN_URL.search(url):
        return None
    parsed = urlparse(url)
    return url if parsed.scheme.lower() in WEB_SCHEMES and parsed.netloc else None
