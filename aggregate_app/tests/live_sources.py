"""Two real source APIs ("aws", "azure") for the aggregate tests whose control tier is the test
process itself: the sources of the shared live estate (live_servers.live_estate(): gunicorn over
`load_demo --pipelines 40 --days 8`, started once per test process, stopped at exit), each with the
token of the estate's service account (governance_admin + "service"), which the control tier uses."""

from dataclasses import dataclass

from testsupport.live_servers import live_estate


@dataclass(frozen=True)
class LiveSource:
    name: str
    url: str
    token: str


def live_sources() -> dict[str, LiveSource]:
    """{"aws": LiveSource, "azure": LiveSource}."""
    estate = live_estate()
    return {s.name: LiveSource(s.name, s.url, estate.service_token) for s in (estate.aws, estate.azure)}
