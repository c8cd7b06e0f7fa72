import pytest

from alerting_app.tests import stub_channels as channels


@pytest.fixture(autouse=True)
def _test_channels(settings):
    """Notifications go to the in-memory test channel unless a test routes them elsewhere."""
    settings.CT_ALERT_CHANNELS_PROVIDER = "alerting_app.tests.stub_channels.get"
    settings.CT_ALERT_DEFAULT_CHANNELS = ["memory"]
    channels.SENT.clear()
    yield channels.SENT


@pytest.fixture
def demo_sources(settings, monkeypatch):
    """The shared live estate's two demo sources as this control tier's sources."""
    from testsupport.live_servers import live_estate

    estate = live_estate()
    settings.CT_SOURCES = f"aws={estate.aws.url},azure={estate.azure.url}"
    for name in ("AWS", "AZURE"):
        monkeypatch.setenv(f"CT_SOURCE_{name}_TOKEN", estate.token)
    return estate
