"""A deployment's tier, decided in one place: a control tier when it has sources to fan out to
(CT_SOURCES, or the AWS_BASE / AZURE_BASE shorthand), else a source API.

The tier picks the URLconf (settings.ROOT_URLCONF), so each tier mounts, and publishes in its
OpenAPI schema, only the routes it serves: a source never offers `/api/aggregate/*`, a control
tier never offers a warehouse or governance-store route it could only answer with 503. /health
and /version report the same tier (settings.CT_TIER)."""

SOURCE, CONTROL = "source", "control"
URLCONFS = {SOURCE: "controltower.urls.source", CONTROL: "controltower.urls.control"}


def tier_of(ct_sources: str, aws_base: str = "", azure_base: str = "") -> str:
    """The tier these settings make: any configured source (even a malformed entry, which the
    system check ct.E002 names) makes a control tier."""
    return CONTROL if any(value.strip() for value in (ct_sources, aws_base, azure_base)) else SOURCE
